"""Admin for reconciliations and the repairs staff made: read-only evidence."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from streams.dde.rest import DdeApiError
from streams.models import Fixture, LogRepair, Reconciliation
from streams.reconcile import service
from streams.reconcile.compare import Comparison

REPAIR_PERMISSION = "streams.add_logrepair"


class _ReadOnly(admin.ModelAdmin[Any]):
    list_select_related = ("fixture",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def differences(row: Reconciliation) -> list[str]:
    """The stored result as the command prints it."""
    if row.error:
        return [row.error]
    comparison = Comparison(
        stored_count=row.stored_count,
        vendor_count=row.vendor_count,
        missing=row.missing,
        extra=row.extra,
        different=row.different,
        out_of_order=row.out_of_order,
        unusable=row.unusable,
    )
    return comparison.lines()


@admin.register(Reconciliation)
class ReconciliationAdmin(_ReadOnly):
    list_display = ("fixture", "checked_at", "status", "trigger", "stored_count", "vendor_count")
    list_filter = ("status", "trigger", ("fixture", admin.RelatedOnlyFieldListFilter))
    fields = (
        "fixture",
        "checked_at",
        "status",
        "trigger",
        "stored_count",
        "vendor_count",
        "what_differs",
    )
    readonly_fields = fields

    @admin.display(description="what differs")
    def what_differs(self, row: Reconciliation) -> str:
        lines = differences(row)
        if not lines:
            return "Nothing: the stored log equals the vendor's list."
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((li,) for li in lines))
        )


@admin.register(LogRepair)
class LogRepairAdmin(_ReadOnly):
    list_display = ("fixture", "done_at", "done_by_name", "appended_count")
    list_filter = (("fixture", admin.RelatedOnlyFieldListFilter),)
    readonly_fields = (
        "fixture",
        "reconciliation",
        "done_by",
        "done_by_name",
        "done_at",
        "appended",
    )

    @admin.display(description="packets appended")
    def appended_count(self, repair: LogRepair) -> int:
        return len(repair.appended)


def latest_shown(fixture: Fixture) -> str:
    """For the fixture's change page: the latest check and what it found."""
    row = service.latest(fixture.pk)
    if row is None:
        return "Not reconciled yet."
    lines = differences(row)[:20]
    return format_html(
        "{} at {} ({}){}",
        row.get_status_display(),
        f"{row.checked_at:%Y-%m-%d %H:%M:%S}",
        row.trigger,
        format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((li,) for li in lines)))
        if lines
        else "",
    )


def reconcile_action(
    model_admin: admin.ModelAdmin[Fixture], request: HttpRequest, queryset: QuerySet[Fixture]
) -> None:
    for fixture in queryset:
        row, _ = service.reconcile(fixture.pk, trigger="admin")
        level = messages.SUCCESS if row.status == "equal" else messages.WARNING
        model_admin.message_user(request, f"{fixture}: {row.get_status_display()}.", level=level)


def append_missing_action(
    model_admin: admin.ModelAdmin[Fixture], request: HttpRequest, queryset: QuerySet[Fixture]
) -> None:
    for fixture in queryset:
        try:
            repair, after = service.append_missing(fixture.pk, user=request.user)
        except (service.NothingToRepair, DdeApiError) as exc:
            model_admin.message_user(request, f"{fixture}: {exc}", level=messages.WARNING)
            continue
        model_admin.message_user(
            request,
            f"{fixture}: appended {len(repair.appended)} packet(s) the vendor listed "
            f"(recorded as done by {repair.done_by_name}); now {after.get_status_display()}.",
        )

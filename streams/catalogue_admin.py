"""Admin for the action-type catalogue: what each type id means, as staff correct it.

Types are learned from the feed (``streams.feed.writer``), never added by hand. Staff give a type
its kind here, in the list or on its page; the change reaches every page rendered after it
and, through a refresh, every open match centre of the fixtures that sent it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from streams import catalogue
from streams.models import ActionType, ActionTypeSighting
from streams.viewers import broadcast


def _per_type(aggregate: Any) -> Subquery:
    """One aggregate of the type's sightings, over every fixture."""
    sightings = ActionTypeSighting.objects.filter(type_id=OuterRef("type_id")).order_by()
    return Subquery(sightings.values("type_id").annotate(value=aggregate).values("value"))


@admin.register(ActionType)
class ActionTypeAdmin(admin.ModelAdmin[ActionType]):
    list_display = ("type_id", "name", "kind", "packets", "fixtures", "first_seen", "last_seen")
    list_display_links = ("type_id", "name")
    list_editable = ("kind",)
    list_filter = ("kind", "kind_set_by_staff")
    search_fields = ("name", "type_id")
    fields = ("type_id", "name", "kind", "kind_set_by_staff", "first_seen", "seen_in")
    readonly_fields = ("type_id", "name", "kind_set_by_staff", "first_seen", "seen_in")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ActionType]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                packet_count=_per_type(Sum("count")),
                fixture_count=_per_type(Count("fixture", distinct=True)),
                seen_last=_per_type(Max("last_seen")),
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the feed adds types; staff only say what they mean

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="packets", ordering="packet_count")
    def packets(self, action_type: Any) -> int:
        return action_type.packet_count or 0

    @admin.display(description="fixtures", ordering="fixture_count")
    def fixtures(self, action_type: Any) -> int:
        return action_type.fixture_count or 0

    @admin.display(description="last seen", ordering="seen_last")
    def last_seen(self, action_type: Any) -> Any:
        return action_type.seen_last

    @admin.display(description="seen in")
    def seen_in(self, action_type: ActionType) -> str:
        """Each fixture that sent the type, with the names and sub-types it came with."""
        sightings = ActionTypeSighting.objects.filter(type_id=action_type.type_id).select_related(
            "fixture"
        )
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
            "<td>{}</td><td>{}</td></tr>",
            (
                (
                    reverse("admin:streams_fixture_change", args=[s.fixture_id]),
                    s.fixture,
                    s.type_name,
                    "" if s.subtype_id is None else s.subtype_id,
                    s.subtype_name,
                    s.count,
                    s.first_seen,
                    s.last_seen,
                )
                for s in sightings.order_by("-last_seen")
            ),
        )
        return format_html(
            "<table><thead><tr><th>Fixture</th><th>Type name</th><th>Sub-type</th>"
            "<th>Sub-type name</th><th>Packets</th><th>First seen</th><th>Last seen</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def save_model(self, request: HttpRequest, obj: ActionType, form: Any, change: bool) -> None:
        if change and "kind" in form.changed_data:
            obj.kind_set_by_staff = True
            fixtures = catalogue.fixtures_showing([obj.type_id])
            # After the commit, so the snapshot the viewers read has the new kind.
            transaction.on_commit(partial(broadcast.refresh_fixtures, fixtures))
        super().save_model(request, obj, form, change)

"""Django admin: schedule fixtures, watch their listeners, browse what was stored (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from streams import catalogue_admin  # noqa: F401  (registers the action-type catalogue)
from streams.admin_add import ADD_FIELDSETS, FixtureAddForm
from streams.dde.rest import DdeApiError
from streams.feed import dispatch, importing
from streams.models import Action, ApiToken, Fixture, Packet, RejectedFrame
from streams.reconcile import admin as reconcile_admin
from streams.tasks import enqueue_listener, replay_fixture
from streams.webhooks import admin as webhooks_admin  # noqa: F401  (registers webhooks)

SUMMARY_FIELDS = (
    "status",
    "collection_status",
    "coverage_level",
    "home_score",
    "away_score",
    "periods",
    "current_period",
    "clock_time",
    "clock_state",
    "home_in_possession",
    "home_colour",
    "away_colour",
    "finished",
    "last_position",
)
# Skipped fixtures named one message each, up to this many (messages may live in a cookie);
# the rest are counted in one more, and every one is in the log.
SKIPPED_SHOWN = 10
LISTENER_FIELDS = (
    "listener_state",
    "listener_error",
    "last_frame_at",
    "reconnects",
    "stop_requested",
    "retry_not_before",
    "stored_data",
)


class FixtureForm(forms.ModelForm[Fixture]):
    class Meta:
        model = Fixture
        fields = (
            "id",
            "name",
            "home_team",
            "away_team",
            "kickoff",
            "competition",
            "venue",
            "listen_from",
            "listen_until",
            "feed",
            "speed",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The admin splits each date-time into a date and a time box, and since Django 4.0
        # its <label> points at neither: each box gets a name of its own (axe: "label").
        for field in self.fields.values():
            parts = getattr(field.widget, "widgets", None)
            if isinstance(field.widget, forms.SplitDateTimeWidget) and parts:
                for part, what in zip(parts, ("date", "time"), strict=True):
                    part.attrs.setdefault("aria-label", f"{field.label}: {what}")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kickoff, start, end = data.get("kickoff"), data.get("listen_from"), data.get("listen_until")
        if start and end and end <= start:
            self.add_error("listen_until", "The listen window must end after it starts.")
        if kickoff and end and end <= kickoff:
            self.add_error("listen_until", "The listen window must end after kick-off.")
        if kickoff and start and start > kickoff:
            self.add_error("listen_from", "The listen window must open by kick-off.")
        return data


@admin.register(Fixture)
class FixtureAdmin(admin.ModelAdmin[Fixture]):
    form = FixtureForm
    change_form_template = "admin/streams/fixture/change_form.html"
    list_display = (
        "fixture_name",
        "kickoff_short",
        "status",
        "score",
        "packets_stored",
        "last_frame_age",
        "listener_shown",
    )
    list_filter = ("status", "listener_state", "feed")
    search_fields = ("name", "home_team", "away_team", "=id")
    date_hierarchy = "kickoff"
    readonly_fields = (*SUMMARY_FIELDS, *LISTENER_FIELDS, "reconciliation")
    actions = ("start_now", "stop", "replay_from_start", "reconcile", "append_missing")
    fieldsets = (
        (
            None,
            {"fields": ("id", "name", "home_team", "away_team", "kickoff", "competition", "venue")},
        ),
        ("Listening", {"fields": ("listen_from", "listen_until", "feed", "speed")}),
        ("Summary from the feed", {"fields": SUMMARY_FIELDS, "classes": ("collapse",)}),
        ("Listener", {"fields": LISTENER_FIELDS}),
        ("Vendor's post-match list", {"fields": ("reconciliation",)}),
    )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any
    ) -> Any:
        # Adding: the vendor's fixture id only; teams and kick-off are fetched (admin_add.py).
        if obj is None:
            kw["form"] = FixtureAddForm
        return super().get_form(request, obj, change, **kw)

    def get_fieldsets(self, request: HttpRequest, obj: Fixture | None = None) -> Any:
        return ADD_FIELDSETS if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Fixture | None = None) -> Any:
        # The DDE id is the vendor's key and what every stored packet hangs on. Editable, a
        # new id would save a copy, or quietly overwrite the fixture that already has it.
        fields = super().get_readonly_fields(request, obj)
        return ("id", *fields) if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Fixture, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Only what staff may edit here: a whole-row save would put back what the fixture's
        # listener wrote since the form was read (its position, the score, its epoch).
        editable = [
            name for name in form.fields if name not in self.get_readonly_fields(request, obj)
        ]
        obj.save(update_fields=[*editable, "updated_at"])

    @admin.display(description="fixture", ordering="name")
    def fixture_name(self, fixture: Fixture) -> str:
        # Home and away on a line each: long names wrap in two lines, never clip the row.
        if fixture.name:
            return format_html('<span class="fixture-name">{}</span>', fixture.name)
        return format_html(
            '<span class="fixture-name">{}<br>v {}</span>', fixture.home_team, fixture.away_team
        )

    @admin.display(description="kick-off", ordering="kickoff")
    def kickoff_short(self, fixture: Fixture) -> str:
        kickoff = timezone.localtime(fixture.kickoff)
        return format_html("{}<br>{}", kickoff.strftime("%d %b %Y"), kickoff.strftime("%H:%M"))

    @admin.display(description="listener", ordering="listener_state")
    def listener_shown(self, fixture: Fixture) -> str:
        state = fixture.feed_state()
        return format_html(
            '<span class="listener-state" data-state="{}" data-feed="{}">{}</span>',
            fixture.listener_state,
            state.value,
            fixture.get_listener_state_display() + (" (stale)" if state == "stale" else ""),
        )

    @admin.display(description="score")
    def score(self, fixture: Fixture) -> str:
        # With the match clock: one column fewer, for the list to fit 1,366 px.
        score = f"{fixture.home_score}–{fixture.away_score}"
        return f"{score} · {fixture.clock_time}" if fixture.clock_time else score

    @admin.display(description="packets", ordering="last_position")
    def packets_stored(self, fixture: Fixture) -> int:
        return fixture.packet_count

    @admin.display(description="last frame", ordering="last_frame_at")
    def last_frame_age(self, fixture: Fixture) -> str:
        if fixture.last_frame_at is None:
            return "—"
        seconds = (timezone.now() - fixture.last_frame_at).total_seconds()
        if seconds < 120:
            return f"{max(0, int(seconds))} s ago"
        return f"{timesince(fixture.last_frame_at, timezone.now(), depth=1)} ago"

    @admin.display(description="stored data")
    def stored_data(self, fixture: Fixture) -> str:
        links = [
            (Packet, f"{fixture.packet_count} packets"),
            (Action, "actions"),
            (RejectedFrame, "rejected frames"),
        ]
        return format_html(
            " · ".join(['<a href="{}?fixture__id__exact={}">{}</a>'] * len(links)),
            *[
                part
                for model, label in links
                for part in (
                    reverse(f"admin:streams_{model._meta.model_name}_changelist"),
                    fixture.pk,
                    label,
                )
            ],
        )

    @admin.action(description="Start now")
    def start_now(self, request: HttpRequest, queryset: QuerySet[Fixture]) -> None:
        for fixture in queryset:
            dispatch.start_now(fixture.pk, enqueue=enqueue_listener)
        self.message_user(request, f"Starting {queryset.count()} listener(s).")

    @admin.action(description="Stop")
    def stop(self, request: HttpRequest, queryset: QuerySet[Fixture]) -> None:
        for fixture in queryset:
            dispatch.request_stop(fixture.pk)
        self.message_user(request, f"Asked {queryset.count()} listener(s) to stop.")

    @admin.action(description="Replay from the start")
    def replay_from_start(self, request: HttpRequest, queryset: QuerySet[Fixture]) -> None:
        for fixture in queryset:
            dispatch.request_stop(fixture.pk)
            replay_fixture.delay(str(fixture.pk))
        self.message_user(request, f"Replaying {queryset.count()} fixture(s) from the start.")

    @admin.display(description="reconciliation")
    def reconciliation(self, fixture: Fixture) -> str:
        return reconcile_admin.latest_shown(fixture)

    @admin.action(description="Reconcile with the vendor's post-match list")
    def reconcile(self, request: HttpRequest, queryset: QuerySet[Fixture]) -> None:
        reconcile_admin.reconcile_action(self, request, queryset)

    @admin.action(
        description="Append what the vendor lists and the log lacks (audited)",
        permissions=("repair",),
    )
    def append_missing(self, request: HttpRequest, queryset: QuerySet[Fixture]) -> None:
        reconcile_admin.append_missing_action(self, request, queryset)

    def has_repair_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(reconcile_admin.REPAIR_PERMISSION)

    def get_urls(self) -> list[Any]:
        import_view = self.admin_site.admin_view(self.import_fixtures_view)
        wrap = self.admin_site.admin_view
        return [
            path("import/", import_view, name="streams_fixture_import"),
            path(
                "<path:object_id>/start/",
                wrap(require_POST(self.start_view)),
                name="streams_fixture_start",
            ),
            path(
                "<path:object_id>/stop/",
                wrap(require_POST(self.stop_view)),
                name="streams_fixture_stop",
            ),
            path("<path:object_id>/replay/", wrap(self.replay_view), name="streams_fixture_replay"),
            *super().get_urls(),
        ]

    # The change page's buttons (templates/admin/streams/fixture/change_form.html): each a
    # POST with the CSRF token; "Replay from the start" asks first, on a page of its own.

    def _operated(self, request: HttpRequest, object_id: str) -> Fixture:
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            return get_object_or_404(Fixture, pk=object_id)
        except ValidationError as exc:  # not a UUID
            raise Http404 from exc

    def _back(self, fixture: Fixture) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:streams_fixture_change", args=[fixture.pk]))

    def start_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        fixture = self._operated(request, object_id)
        dispatch.start_now(fixture.pk, enqueue=enqueue_listener)
        self.message_user(request, f"Starting the listener of {fixture}.")
        return self._back(fixture)

    def stop_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        fixture = self._operated(request, object_id)
        dispatch.request_stop(fixture.pk)
        self.message_user(request, f"Asked the listener of {fixture} to stop.")
        return self._back(fixture)

    def replay_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        fixture = self._operated(request, object_id)
        if request.method == "POST":
            dispatch.request_stop(fixture.pk)
            replay_fixture.delay(str(fixture.pk))
            self.message_user(
                request,
                f"Replaying {fixture} from the start: its stored log is wiped and stored again.",
            )
            return self._back(fixture)
        return TemplateResponse(
            request,
            "admin/streams/fixture/replay_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": fixture,
                "fixture": fixture,
                "title": "Replay from the start?",
            },
        )

    def import_fixtures_view(self, request: HttpRequest) -> HttpResponse:
        changelist = reverse("admin:streams_fixture_changelist")
        if request.method != "POST" or not self.has_add_permission(request):
            return HttpResponseRedirect(changelist)
        try:
            result = importing.import_fixtures()
        except DdeApiError as exc:
            self.message_user(request, f"Import failed: {exc}", level=messages.ERROR)
        else:
            count = len(result.fixtures)
            self.message_user(request, f"Imported {count} fixture(s) from the DDE API.")
            for reason in result.skipped[:SKIPPED_SHOWN]:
                self.message_user(request, f"Skipped: {reason}", level=messages.WARNING)
            more = len(result.skipped) - SKIPPED_SHOWN
            if more > 0:
                self.message_user(
                    request, f"Skipped {more} more (see the log).", level=messages.WARNING
                )
        return HttpResponseRedirect(changelist)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Stored feed data is evidence: it can be read here, never edited."""

    list_select_related = ("fixture",)
    list_filter = (("fixture", admin.RelatedOnlyFieldListFilter),)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Packet)
class PacketAdmin(ReadOnlyAdmin):
    list_display = (
        "fixture",
        "position",
        "action_type",
        "send_type",
        "action_id",
        "fixture_seq_num",
        "received_at",
    )
    search_fields = ("=action_id",)

    @staticmethod
    def _action(packet: Packet) -> dict[str, Any]:
        action = packet.payload.get("fixtureAction") if isinstance(packet.payload, dict) else None
        return action if isinstance(action, dict) else {}

    @admin.display(description="action type")
    def action_type(self, packet: Packet) -> str:
        action = self._action(packet)
        name, type_id = action.get("fixtureActionType"), action.get("fixtureActionTypeId")
        subtype = action.get("fixtureActionSubType")
        shown = " ".join(str(part) for part in (type_id, name) if part not in (None, ""))
        return f"{shown} · {subtype}" if subtype else shown or "—"

    @admin.display(description="send type")
    def send_type(self, packet: Packet) -> str:
        return str(self._action(packet).get("sendType") or "—")


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = (
        "fixture",
        "clock_time",
        "type_name",
        "subtype_name",
        "send_type",
        "team_name",
        "player_name",
        "removed",
        "restored",
        "last_position",
    )
    search_fields = ("=action_id", "type_name", "player_name")


@admin.register(RejectedFrame)
class RejectedFrameAdmin(ReadOnlyAdmin):
    list_display = ("fixture", "received_at", "reason", "size", "after_position")


PLAIN_KEY = "_plain_key"


# The scopes a token may have, as staff pick them; a form that sends none keeps read.
SCOPE_CHOICES = [
    ("read", "read: the REST API"),
    ("stream", "stream: the relay (DDE-compatible websocket)"),
    ("read,stream", "read and stream"),
]


class ApiTokenForm(forms.ModelForm[ApiToken]):
    scopes = forms.ChoiceField(
        choices=SCOPE_CHOICES,
        required=False,
        initial="read",
        help_text="What the token may do: read the REST API, stream from the relay, or both.",
    )

    class Meta:
        model = ApiToken
        fields = ("name", "revoked")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["scopes"] = ",".join(self.instance.scopes)

    def save(self, commit: bool = True) -> ApiToken:
        chosen = set((self.cleaned_data.get("scopes") or "read").split(","))
        self.instance.can_read = "read" in chosen
        self.instance.can_stream = "stream" in chosen
        return super().save(commit)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens for the REST API (scope read) and the relay (scope stream). The key is shown
    once, on the page after "Save"; only its hash is stored, so a lost key is replaced by a
    new token, not recovered."""

    form = ApiTokenForm
    list_display = ("name", "prefix", "scopes_shown", "created", "last_used", "state")
    list_filter = ("revoked", "can_read", "can_stream")
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created", "last_used")
    actions = ("revoke",)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ("name", "scopes")
        return ("name", "scopes", "prefix", "created", "last_used", "revoked")

    # Not the "revoked" boolean: Django draws True as a green tick, which read as "fine"
    # on exactly the tokens that no longer work.
    @admin.display(description="state", ordering="revoked")
    def state(self, obj: ApiToken) -> str:
        return "Revoked" if obj.revoked else "Active"

    @admin.display(description="scopes")
    def scopes_shown(self, obj: ApiToken) -> str:
        return ", ".join(obj.scopes) or "none"

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if not change:
            # Kept on this request's instance only, for response_add to show.
            setattr(obj, PLAIN_KEY, obj.set_new_key())
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        # The key goes into this one page and nowhere else: not a message stored in a
        # cookie or the session, not a log line.
        return TemplateResponse(
            request,
            "admin/streams/apitoken/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "token": obj,
                "key": getattr(obj, PLAIN_KEY),
                "title": "API token created",
            },
        )

    @admin.action(description="Revoke")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.update(revoked=True)
        self.message_user(request, f"Revoked {count} token(s).")

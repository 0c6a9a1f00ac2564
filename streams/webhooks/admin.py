"""Admin for webhooks: endpoints (the secret is asked for once, never shown), where each
is per fixture, and the delivery log with status codes, attempts and latency."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from streams.webhooks.models import EventKind, WebhookCursor, WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm[WebhookEndpoint]):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=EventKind.choices, widget=forms.CheckboxSelectMultiple
    )
    new_secret = forms.CharField(
        label="Secret",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="The HMAC key deliveries are signed with. Never shown again; leave empty "
        "to keep the current one.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "fixtures", "enabled")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["new_secret"].required = True
        else:
            self.initial["events"] = list(self.instance.events)

    def save(self, commit: bool = True) -> WebhookEndpoint:
        self.instance.events = list(self.cleaned_data["events"])
        if self.cleaned_data.get("new_secret"):
            self.instance.secret = self.cleaned_data["new_secret"]
        if self.instance.enabled:
            self.instance.disabled_at = None
            self.instance.disabled_reason = ""
        return super().save(commit)


class CursorInline(admin.TabularInline[WebhookCursor, WebhookEndpoint]):
    model = WebhookCursor
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "fixture", "position", "attempts", "failing_since", "next_attempt_at", "last_error",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    form = WebhookEndpointForm
    list_display = ("__str__", "url", "events", "enabled", "disabled_at", "disabled_reason")
    list_filter = ("enabled",)
    filter_horizontal = ("fixtures",)
    readonly_fields = ("created", "disabled_at", "disabled_reason")
    inlines = (CursorInline,)
    actions = ("enable",)

    def get_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> Any:
        editable = ("url", "new_secret", "description", "events", "fixtures", "enabled")
        return editable if obj is None else (*editable, *self.readonly_fields)

    @admin.action(description="Enable again (retries start over)")
    def enable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        count = queryset.update(enabled=True, disabled_at=None, disabled_reason="")
        WebhookCursor.objects.filter(endpoint__in=queryset).update(
            attempts=0, failing_since=None, next_attempt_at=None
        )
        self.message_user(request, f"Enabled {count} endpoint(s).")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    """Every attempt, newest first (the latest few thousand per endpoint are kept)."""

    list_display = (
        "at", "endpoint", "fixture_id", "position", "events", "attempt", "status_code",
        "error", "latency_ms",
    )  # fmt: skip
    list_filter = ("endpoint", "status_code")
    list_select_related = ("endpoint",)
    search_fields = ("=fixture_id",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Webhook endpoints, their per-fixture cursors, and the delivery log (docs/api.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class EventKind(models.TextChoices):
    """What an endpoint can ask for; a packet can be several at once."""

    GOAL = "goal", "goal (a goal, Pending or Confirmed)"
    CARD = "card", "card (a yellow or red card)"
    CORRECTION = (
        "correction",
        "correction (an action Updated, Cancelled, Deleted or restored)",
    )
    STATUS_CHANGE = "status_change", "status change (fixture or collection status changed)"
    MATCH_FINISHED = "match_finished", "match finished (the feed's last packet)"
    ALL = "all", "all packets"


class WebhookEndpoint(models.Model):
    """A receiver URL, the secret its deliveries are signed with, and what it wants.

    No fixtures means every fixture still being played when it first stores a packet
    after the endpoint exists; fixtures named get their whole log from the start.
    """

    url = models.URLField(max_length=2000)
    # The HMAC key: kept, since signing needs it, but never shown after creation or logged.
    secret = models.CharField(max_length=200)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="Event kinds (EventKind values).")
    fixtures = models.ManyToManyField(
        "streams.Fixture", blank=True, related_name="webhook_endpoints"
    )
    enabled = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.description or self.url

    def wants(self, kinds: set[str]) -> bool:
        return EventKind.ALL in self.events or bool(kinds & set(self.events))


class WebhookCursor(models.Model):
    """Where one endpoint is in one fixture's log, and its one delivery in flight.

    ``position`` is the last packet handled (sent with a 2xx, or not wanted). A worker
    takes ``lease`` with a conditional UPDATE before posting, and every write it makes is
    fenced by it, so two workers never deliver the same (endpoint, fixture) at once.
    """

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="cursors")
    fixture = models.ForeignKey(
        "streams.Fixture", on_delete=models.CASCADE, related_name="webhook_cursors"
    )
    position = models.IntegerField(default=-1)
    # The fixture's statuses as of ``position``, to tell a status change.
    status = models.TextField(blank=True)
    collection_status = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Failed tries of the next one.")
    failing_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    lease = models.UUIDField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["endpoint", "fixture"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "fixture"], name="webhook_cursor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint_id} {self.fixture_id} @{self.position}"


class WebhookDelivery(models.Model):
    """One POST attempt: kept for the latest few thousand per endpoint."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    fixture_id = models.UUIDField()
    position = models.IntegerField()
    events = models.JSONField(default=list)
    attempt = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    latency_ms = models.FloatField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["endpoint", "-id"], name="webhook_delivery_recent_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(attempt__gte=1), name="webhook_attempt_positive")
        ]

    def __str__(self) -> str:
        return f"{self.fixture_id} #{self.position} try {self.attempt}: {self.status_code}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _endpoints_changed(**_: object) -> None:
    # The listener's nudge reads the endpoints at most every few seconds; in this process
    # (admin, a command, a test) a change is seen at the next nudge.
    from streams.webhooks.delivery import forget_subscriptions

    forget_subscriptions()


models.signals.post_save.connect(_endpoints_changed, sender=WebhookEndpoint)
models.signals.post_delete.connect(_endpoints_changed, sender=WebhookEndpoint)
models.signals.m2m_changed.connect(_endpoints_changed, sender=WebhookEndpoint.fixtures.through)

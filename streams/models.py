"""Tables: fixtures with their summary, the raw packet log, actions in their current state."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from streams.meaning.freshness import FeedState, feed_payload, feed_state
from streams.meaning.kinds import ActionKind

# Packet.position and Action.*_position are 32-bit columns.
POSITION_MAX = 2**31 - 1


class FixtureStatus(models.TextChoices):
    """Vendor fixture statuses (docs/dde-protocol.md §8.1); unknown names are stored as sent."""

    SCHEDULED = "Scheduled"
    LIVE = "Live"
    COMPLETED = "Completed"
    POSTPONED = "Postponed"
    ABANDONED = "Abandoned"
    CANCELLED = "Cancelled"
    SUSPENDED = "Suspended"
    UNVERIFIED = "Unverified"


class Feed(models.TextChoices):
    BETTING = "betting", "Betting (lowest latency)"
    MEDIA = "media", "Media (/media/ path)"


class Speed(models.TextChoices):
    FAST = "fast", "Fast (replay what is already recorded at once)"
    NORMAL = "normal", "Normal (recorded matches keep their original pace)"


class ListenerState(models.TextChoices):
    IDLE = "idle"
    CONNECTING = "connecting"
    LISTENING = "listening"
    RECONNECTING = "reconnecting"
    AUTH_REJECTED = "auth_rejected", "Token rejected"
    STOPPED = "stopped"
    FINISHED = "finished"
    FAILED = "failed"


class FixtureQuerySet(models.QuerySet["Fixture"]):
    def due(self, now: dt.datetime) -> FixtureQuerySet:
        """Fixtures whose listen window is open and that still need a listener."""
        return self.filter(
            listen_from__lte=now,
            listen_until__gt=now,
            finished=False,
            stop_requested=False,
            vendor_deleted=False,
        )

    def live(self) -> FixtureQuerySet:
        return self.filter(status__in=[FixtureStatus.LIVE, FixtureStatus.SUSPENDED], finished=False)


class Fixture(models.Model):
    """One match: what staff schedule, and the latest summary the feed sent for it."""

    id = models.UUIDField("DDE fixture id", primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=200, blank=True)
    home_team = models.CharField(max_length=120)
    away_team = models.CharField(max_length=120)
    home_team_id = models.TextField(blank=True)
    away_team_id = models.TextField(blank=True)
    home_colour = models.TextField(blank=True, help_text="R, G, B from Team Colours")
    away_colour = models.TextField(blank=True, help_text="R, G, B from Team Colours")
    kickoff = models.DateTimeField()
    # From the vendor's fixture, where it names them (docs/dde-protocol.md §11.1).
    competition = models.CharField(max_length=120, blank=True)
    venue = models.CharField(max_length=120, blank=True)
    listen_from = models.DateTimeField(help_text="When the listener connects.")
    listen_until = models.DateTimeField(help_text="When the listener gives up if not finished.")
    feed = models.CharField(max_length=10, choices=Feed.choices, default=Feed.BETTING)
    speed = models.CharField(max_length=10, choices=Speed.choices, default=Speed.FAST)

    # Summary, always copied from the latest fixtureSummary (a full snapshot, PROTOCOL §12.6).
    status = models.TextField(default=FixtureStatus.SCHEDULED)
    collection_status = models.TextField(blank=True)
    coverage_level = models.TextField(
        blank=True, help_text="The vendor's coverage level (fixtures API, Status Updated)."
    )
    home_score = models.BigIntegerField(default=0)
    away_score = models.BigIntegerField(default=0)
    periods = models.JSONField(default=list, blank=True)
    current_period = models.BigIntegerField(null=True, blank=True)
    clock_time = models.TextField(blank=True)
    clock_state = models.TextField(blank=True)
    home_in_possession = models.BooleanField(null=True, blank=True)
    finished = models.BooleanField(default=False)
    last_position = models.IntegerField(
        null=True, blank=True, help_text="Position of the last stored packet (0-based)."
    )

    listener_state = models.CharField(
        max_length=16, choices=ListenerState.choices, default=ListenerState.IDLE
    )
    listener_error = models.TextField(blank=True)
    last_frame_at = models.DateTimeField(null=True, blank=True)
    reconnects = models.PositiveIntegerField(default=0)
    listener_epoch = models.BigIntegerField(
        default=0, help_text="Bumped by each listener that takes the fixture; fences old ones."
    )
    stop_requested = models.BooleanField(default=False)
    retry_not_before = models.DateTimeField(
        null=True, blank=True, help_text="Set after the vendor rejected the token."
    )
    vendor_deleted = models.BooleanField(
        default=False,
        help_text="The vendor's fixtures API lists it as deleted; its stored data is kept.",
    )
    synced_at = models.DateTimeField(
        null=True, blank=True, help_text="When the fixture sync last saw it in the vendor's list."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FixtureQuerySet.as_manager()

    class Meta:
        ordering = ["-kickoff"]
        indexes = [models.Index(fields=["listen_from", "listen_until"], name="fixture_window_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(listen_until__gt=models.F("listen_from")),
                name="fixture_window_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.home_team} v {self.away_team}"

    @property
    def packet_count(self) -> int:
        return 0 if self.last_position is None else self.last_position + 1

    def feed_state(self, now: dt.datetime | None = None) -> FeedState:
        """What the feed's state means to a viewer now ("stale" is decided at read time)."""
        return feed_state(
            self.listener_state,
            self.last_frame_at,
            finished=self.finished,
            now=now or timezone.now(),
            watchdog_seconds=settings.DDE_WATCHDOG_SECONDS,
        )

    def feed_payload(self, now: dt.datetime | None = None) -> dict[str, Any]:
        """The payload's ``feed``: state, last frame time, when it counts as stale."""
        return feed_payload(self.feed_state(now), self.last_frame_at, settings.DDE_WATCHDOG_SECONDS)

    def to_payload(self) -> dict[str, Any]:
        """The one shape of a fixture's summary shared by pages, websockets and exports."""
        return {
            "id": str(self.id),
            "name": str(self),
            "home_team": self.home_team,
            "away_team": self.away_team,
            "home_colour": self.home_colour,
            "away_colour": self.away_colour,
            "kickoff": self.kickoff.isoformat(),
            "competition": self.competition,
            "venue": self.venue,
            "status": self.status,
            "collection_status": self.collection_status,
            "coverage_level": self.coverage_level,
            "home_score": self.home_score,
            "away_score": self.away_score,
            "periods": self.periods,
            "current_period": self.current_period,
            "clock_time": self.clock_time,
            "clock_state": self.clock_state,
            "home_in_possession": self.home_in_possession,
            "finished": self.finished,
            "last_position": self.last_position,
            "feed": self.feed_payload(),
        }


class Packet(models.Model):
    """The append-only log: every data packet exactly as the feed sent it, in stream order."""

    fixture = models.ForeignKey(Fixture, on_delete=models.CASCADE, related_name="packets")
    position = models.PositiveIntegerField(help_text="0-based index among stored packets.")
    payload = models.JSONField(help_text="The packet as received.")
    # jsonb keeps the values, not the text (key order, spacing, number spelling, repeated
    # keys); the relay sends each packet byte for byte as it came (docs/relay.md).
    raw = models.TextField(
        blank=True,
        default="",
        help_text="The frame's JSON text exactly as received, less a byte-order mark "
        "(empty for packets stored before it was kept).",
    )
    action_id = models.UUIDField()
    fixture_seq_num = models.BigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["fixture", "position"]
        constraints = [
            models.UniqueConstraint(fields=["fixture", "position"], name="packet_unique_position"),
            # A repeat of an already stored version of an action is not a new packet
            # (DESIGN.md "Never count what you did not store").
            models.UniqueConstraint(
                fields=["fixture", "action_id", "fixture_seq_num"], name="packet_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fixture_id} #{self.position}"


class Action(models.Model):
    """The current state of one actionId: the newest fixtureSeqNum wins (PROTOCOL §6).

    Vendor values get text and 64-bit columns: an unexpectedly long name or large number
    must be stored, not wedge the listener on a constraint it cannot pass.
    """

    fixture = models.ForeignKey(Fixture, on_delete=models.CASCADE, related_name="actions")
    action_id = models.UUIDField()
    type_id = models.BigIntegerField(null=True, blank=True)
    type_name = models.TextField(blank=True)
    subtype_id = models.BigIntegerField(null=True, blank=True)
    subtype_name = models.TextField(blank=True)
    send_type = models.TextField()
    send_type_id = models.BigIntegerField(null=True, blank=True)
    period = models.BigIntegerField(null=True, blank=True)
    clock_time = models.TextField(blank=True)
    timestamp = models.DateTimeField(null=True, blank=True)
    team_id = models.TextField(blank=True)
    team_name = models.TextField(blank=True)
    team_is_home = models.BooleanField(null=True, blank=True)
    player_id = models.TextField(blank=True)
    player_name = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    related_action_ids = models.JSONField(default=list, blank=True)
    timeline_sequence = models.FloatField(null=True, blank=True)
    fixture_seq_num = models.BigIntegerField(null=True, blank=True)
    removed = models.BooleanField(default=False, help_text="Cancelled or Deleted.")
    restored = models.BooleanField(default=False, help_text="Brought back after a removal.")
    delayed = models.BooleanField(
        default=False, help_text="Collected offline and sent late (delayStatus DELAYED)."
    )
    first_position = models.PositiveIntegerField()
    last_position = models.PositiveIntegerField()

    class Meta:
        ordering = ["fixture", "timeline_sequence", "fixture_seq_num"]
        constraints = [
            models.UniqueConstraint(fields=["fixture", "action_id"], name="action_unique_id"),
        ]
        indexes = [
            models.Index(fields=["fixture", "last_position"], name="action_fixture_position_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type_name or self.type_id} ({self.send_type})"

    def to_payload(self) -> dict[str, Any]:
        """The one shape of an action shared by pages, websockets and exports."""
        return action_payload(self.action_id, self.__dict__)


def action_payload(action_id: uuid.UUID | str, state: Mapping[str, Any]) -> dict[str, Any]:
    """``Action.to_payload`` from an action id and its field values (the ingest writer
    plans actions as plain dicts: a model instance per packet cost as much as the rest)."""
    timestamp = state["timestamp"]
    return {
        "action_id": str(action_id),
        "type_id": state["type_id"],
        "type_name": state["type_name"],
        "subtype_id": state["subtype_id"],
        "subtype_name": state["subtype_name"],
        "send_type": state["send_type"],
        "send_type_id": state["send_type_id"],
        "period": state["period"],
        "clock_time": state["clock_time"],
        "timestamp": timestamp.isoformat() if timestamp else None,
        "team_id": state["team_id"],
        "team_name": state["team_name"],
        "team_is_home": state["team_is_home"],
        "player_id": state["player_id"],
        "player_name": state["player_name"],
        "metadata": state["metadata"],
        "related_action_ids": state["related_action_ids"],
        "timeline_sequence": state["timeline_sequence"],
        "fixture_seq_num": state["fixture_seq_num"],
        "removed": state["removed"],
        "restored": state["restored"],
        "delayed": state["delayed"],
        "first_position": state["first_position"],
        "last_position": state["last_position"],
    }


class ActionType(models.Model):
    """One action type id the feed has sent, and the kind it means (the catalogue).

    Recorded on first sight by the ingest statement, with the kind its wire name gives
    (``streams.meaning.kinds``); staff correct the kind in admin. Nothing in the product
    recognises an action by its id: the vendor documents few of them (docs/action-types.md).
    """

    type_id = models.BigIntegerField(unique=True)
    name = models.TextField(blank=True, help_text="The wire name it was first seen with.")
    kind = models.CharField(max_length=32, choices=ActionKind.choices, default=ActionKind.OTHER)
    kind_set_by_staff = models.BooleanField(default=False, editable=False)
    first_seen = models.DateTimeField()

    class Meta:
        ordering = ["type_id"]
        indexes = [models.Index(fields=["kind"], name="actiontype_kind_idx")]

    def __str__(self) -> str:
        return f"{self.type_id} {self.name}".strip()


class ActionTypeSighting(models.Model):
    """How often one fixture's feed sent a type and sub-type under given names, and when.

    Upserted by the ingest statement: one row per (fixture, type, sub-type, names), its
    count and last sighting bumped in the transaction that stores the packets.
    """

    fixture = models.ForeignKey(Fixture, on_delete=models.CASCADE, related_name="type_sightings")
    type_id = models.BigIntegerField(null=True, blank=True)
    type_name = models.TextField(blank=True)
    subtype_id = models.BigIntegerField(null=True, blank=True)
    subtype_name = models.TextField(blank=True)
    count = models.PositiveBigIntegerField(default=0, help_text="Packets stored with these.")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["type_id", "subtype_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fixture", "type_id", "type_name", "subtype_id", "subtype_name"],
                name="sighting_unique_names",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["type_id"], name="sighting_type_idx")]

    def __str__(self) -> str:
        return f"{self.type_id}/{self.subtype_id} in {self.fixture_id}"


class RejectedFrame(models.Model):
    """A frame the listener could not use, kept with the reason so nothing is lost silently."""

    fixture = models.ForeignKey(Fixture, on_delete=models.CASCADE, related_name="rejected_frames")
    received_at = models.DateTimeField()
    reason = models.TextField()
    frame = models.TextField(help_text="The frame as received (cut to a few KB).")
    size = models.PositiveIntegerField(help_text="Size of the whole frame in bytes.")
    after_position = models.IntegerField(
        null=True, blank=True, help_text="Last stored position when it arrived."
    )

    class Meta:
        ordering = ["fixture", "received_at"]

    def __str__(self) -> str:
        return f"{self.fixture_id}: {self.reason}"


def hash_api_key(key: str) -> str:
    """SHA-256 hex digest of a key: keys are 32 random bytes, so no slow KDF is needed."""
    return hashlib.sha256(key.encode()).hexdigest()


class Scope(models.TextChoices):
    """What an API token may do; each token is limited to the scopes it was given."""

    READ = "read", "read: the REST API (/api/)"
    STREAM = "stream", "stream: the relay (the vendor's Live Actions websocket and REST twin)"


class ApiToken(models.Model):
    """A key for the REST API (scope read) and the relay (scope stream). Only its hash is
    stored; the key is shown once."""

    KEY_PREFIX = "dde_"
    # "dde_" and the first 8 random characters: enough to tell tokens apart in admin and
    # logs, and the index a key is looked up by (the rest is compared by hash).
    PREFIX_LENGTH = 12

    name = models.CharField(max_length=100, help_text="Who or what uses it.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(default=False)
    # One column per scope (docs/relay.md): tokens made before scopes existed keep read.
    can_read = models.BooleanField("read", default=True, help_text=Scope.READ.label)
    can_stream = models.BooleanField("stream", default=False, help_text=Scope.STREAM.label)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def set_new_key(self) -> str:
        """Give the token a fresh key; returns the plain key, which is not stored anywhere."""
        key = self.KEY_PREFIX + secrets.token_urlsafe(32)
        self.prefix = key[: self.PREFIX_LENGTH]
        self.key_hash = hash_api_key(key)
        return key

    @property
    def scopes(self) -> list[Scope]:
        return [
            scope
            for scope, given in ((Scope.READ, self.can_read), (Scope.STREAM, self.can_stream))
            if given
        ]

    def has_scope(self, scope: Scope) -> bool:
        return scope in self.scopes

    @classmethod
    def issue(cls, name: str, scopes: Iterable[Scope] = (Scope.READ,)) -> tuple[ApiToken, str]:
        """Create a token with these scopes; returns it with the plain key, which is not
        stored anywhere."""
        given = set(scopes)
        token = cls(name=name, can_read=Scope.READ in given, can_stream=Scope.STREAM in given)
        key = token.set_new_key()
        token.save()
        return token, key


class ReconciliationStatus(models.TextChoices):
    EQUAL = "equal", "Equal"
    MISMATCH = "mismatch", "Mismatch"
    REPAIRED = "repaired", "Equal but for audited repairs"
    ERROR = "error", "Vendor list not fetched"


class Reconciliation(models.Model):
    """One comparison of a fixture's stored log with the vendor's post-match actions list
    (``streams.reconcile``); a fixture keeps every check, the latest is the one shown."""

    fixture = models.ForeignKey(Fixture, on_delete=models.CASCADE, related_name="reconciliations")
    checked_at = models.DateTimeField()
    trigger = models.CharField(max_length=16, help_text="finished, admin or command.")
    status = models.CharField(max_length=10, choices=ReconciliationStatus.choices)
    stored_count = models.PositiveIntegerField(default=0)
    vendor_count = models.PositiveIntegerField(default=0)
    missing = models.JSONField(default=list, blank=True, help_text="Vendor positions not stored.")
    extra = models.JSONField(default=list, blank=True, help_text="Stored positions not listed.")
    different = models.JSONField(default=list, blank=True, help_text="Same identity, other values.")
    out_of_order = models.JSONField(default=list, blank=True)
    unusable = models.JSONField(default=list, blank=True, help_text="Vendor elements not packets.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["fixture", "-checked_at"], name="reconciliation_latest_idx")
        ]

    def __str__(self) -> str:
        return f"{self.fixture_id} {self.status} at {self.checked_at:%Y-%m-%d %H:%M:%S}"

    def to_payload(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "checked_at": self.checked_at.isoformat(),
            "trigger": self.trigger,
            "stored_count": self.stored_count,
            "vendor_count": self.vendor_count,
            "missing": [item["vendor_position"] for item in self.missing],
            "extra": [item["position"] for item in self.extra],
            "different": [item["position"] for item in self.different],
            "out_of_order": [item["position"] for item in self.out_of_order],
            "error": self.error,
        }


class LogRepair(models.Model):
    """An audit row: a staff member appended packets the vendor listed and the log lacked.
    Nothing stored is changed; the packets take the next positions."""

    fixture = models.ForeignKey(Fixture, on_delete=models.CASCADE, related_name="log_repairs")
    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.PROTECT, related_name="repairs"
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_by_name = models.TextField(help_text="The username, kept if the user is deleted.")
    done_at = models.DateTimeField()
    appended = models.JSONField(
        default=list, help_text="[{position, vendor_position, action_id, fixture_seq_num}]"
    )

    class Meta:
        ordering = ["-done_at", "-id"]

    def __str__(self) -> str:
        return f"{self.fixture_id}: {len(self.appended)} appended by {self.done_by_name}"


# Webhooks live in their own module; imported here so Django registers their models.
from streams.webhooks.models import WebhookCursor as WebhookCursor  # noqa: E402
from streams.webhooks.models import WebhookDelivery as WebhookDelivery  # noqa: E402
from streams.webhooks.models import WebhookEndpoint as WebhookEndpoint  # noqa: E402

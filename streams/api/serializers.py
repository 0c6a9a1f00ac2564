"""Response shapes: each model's ``to_payload()``, described field by field for the schema."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from rest_framework import serializers

from streams.meaning.freshness import FeedState
from streams.meaning.scoreline import period_scores
from streams.models import (
    Action,
    Fixture,
    Reconciliation,
    ReconciliationStatus,
    RejectedFrame,
)


class PayloadSerializer(serializers.Serializer[Any]):
    """The declared fields document the shape; the data is the model's ``to_payload()``, the
    one shape the websocket and the pages share (tests/api checks the two agree)."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        payload: dict[str, Any] = instance.to_payload()
        return payload


class FeedSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(
        choices=[state.value for state in FeedState],
        help_text="following, reconnecting, stale (no frame for longer than the watchdog "
        "allows; decided when read), token_rejected, stopped, finished, or idle (never "
        "followed yet).",
    )
    last_frame_at = serializers.DateTimeField(
        allow_null=True, help_text="When the listener last heard a frame (heartbeats too)."
    )
    stale_after_seconds = serializers.FloatField(
        help_text="A following feed silent for longer than this is stale."
    )


class FixtureSerializer(PayloadSerializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    home_team = serializers.CharField()
    away_team = serializers.CharField()
    home_colour = serializers.CharField(help_text='"R, G, B" from the Team Colours action.')
    away_colour = serializers.CharField()
    kickoff = serializers.DateTimeField()
    competition = serializers.CharField(
        help_text="From the vendor's fixture where it names one (or as staff set it); may be empty."
    )
    venue = serializers.CharField(help_text="As competition: the stadium, or empty.")
    status = serializers.CharField(help_text="Vendor status: Scheduled, Live, Completed...")
    collection_status = serializers.CharField()
    coverage_level = serializers.CharField(
        help_text="What the vendor covers: In Venue, Low Latency Stream, Standard stream..."
    )
    home_score = serializers.IntegerField()
    away_score = serializers.IntegerField()
    periods = serializers.ListField(
        child=serializers.DictField(), help_text="Periods as the latest fixtureSummary sent them."
    )
    current_period = serializers.IntegerField(allow_null=True)
    clock_time = serializers.CharField()
    clock_state = serializers.CharField()
    home_in_possession = serializers.BooleanField(allow_null=True)
    finished = serializers.BooleanField()
    last_position = serializers.IntegerField(
        allow_null=True, help_text="Position of the last stored packet (0-based)."
    )
    feed = FeedSerializer(help_text="The feed's state and the time of its last frame.")


class PeriodScoreSerializer(serializers.Serializer[Any]):
    period = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(help_text="As the match centre shows it: Half-time, Full time...")
    home = serializers.IntegerField(help_text="Cumulative score; a shootout's own tally.")
    away = serializers.IntegerField()


class CountsSerializer(serializers.Serializer[Any]):
    packets = serializers.IntegerField()
    actions = serializers.IntegerField()
    removed_actions = serializers.IntegerField()
    rejected_frames = serializers.IntegerField()


class ReconciliationSerializer(serializers.Serializer[Any]):
    """The latest comparison with the vendor's post-match list (docs/api.md)."""

    status = serializers.ChoiceField(choices=ReconciliationStatus.choices)
    checked_at = serializers.DateTimeField()
    trigger = serializers.CharField()
    stored_count = serializers.IntegerField()
    vendor_count = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.IntegerField(), help_text="Vendor positions.")
    extra = serializers.ListField(child=serializers.IntegerField(), help_text="Stored positions.")
    different = serializers.ListField(child=serializers.IntegerField())
    out_of_order = serializers.ListField(child=serializers.IntegerField())
    error = serializers.CharField()


class FixtureDetailSerializer(FixtureSerializer):
    period_scores = PeriodScoreSerializer(many=True)
    counts = CountsSerializer()
    reconciliation = ReconciliationSerializer(allow_null=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        payload = super().to_representation(instance)
        payload["period_scores"] = fixture_period_scores(instance)
        payload["counts"] = fixture_counts(instance)
        latest = Reconciliation.objects.filter(fixture=instance).first()
        payload["reconciliation"] = latest.to_payload() if latest else None
        return payload


def fixture_period_scores(fixture: Fixture) -> list[dict[str, Any]]:
    """Per period, the page's label and the score: cumulative, or the shootout's tally."""
    periods = [p for p in fixture.periods or [] if isinstance(p, dict)]
    scores = []
    for (label, _), period in zip(period_scores(periods), periods, strict=True):
        shootout = period.get("type") == "Shootout"
        home = period.get("home_period_score" if shootout else "home_score")
        away = period.get("away_period_score" if shootout else "away_score")
        number = period.get("id")
        scores.append(
            {
                "period": number if isinstance(number, int) else None,
                "name": label,
                "home": home if isinstance(home, int) else 0,
                "away": away if isinstance(away, int) else 0,
            }
        )
    return scores


def fixture_counts(fixture: Fixture) -> dict[str, int]:
    actions = Action.objects.filter(fixture=fixture).aggregate(
        total=Count("id"), removed=Count("id", filter=Q(removed=True))
    )
    return {
        "packets": fixture.packet_count,
        "actions": actions["total"],
        "removed_actions": actions["removed"],
        "rejected_frames": RejectedFrame.objects.filter(fixture=fixture).count(),
    }


class ActionSerializer(serializers.Serializer[Any]):
    """Documents an action row (export.ACTION_COLUMNS, in ``Action.to_payload()`` shape); the
    views read rows without model instances, and tests/api checks the rows equal payloads."""

    action_id = serializers.UUIDField()
    type_id = serializers.IntegerField(allow_null=True, help_text="fixtureActionTypeId")
    type_name = serializers.CharField()
    subtype_id = serializers.IntegerField(allow_null=True)
    subtype_name = serializers.CharField()
    send_type = serializers.CharField(help_text="Pending, Confirmed, Updated, Cancelled...")
    send_type_id = serializers.IntegerField(allow_null=True)
    period = serializers.IntegerField(allow_null=True)
    clock_time = serializers.CharField(help_text='Match clock, "MM:SS".')
    timestamp = serializers.DateTimeField(allow_null=True)
    team_id = serializers.CharField()
    team_name = serializers.CharField()
    team_is_home = serializers.BooleanField(allow_null=True)
    player_id = serializers.CharField()
    player_name = serializers.CharField()
    metadata = serializers.JSONField(help_text="As the vendor sent it (usually an object).")
    related_action_ids = serializers.JSONField(help_text="Usually a list of actionIds.")
    timeline_sequence = serializers.FloatField(allow_null=True)
    fixture_seq_num = serializers.IntegerField(allow_null=True)
    removed = serializers.BooleanField(help_text="The current state is Cancelled or Deleted.")
    restored = serializers.BooleanField()
    delayed = serializers.BooleanField(help_text="Collected offline and sent late (delayStatus).")
    first_position = serializers.IntegerField(help_text="Position of its first packet.")
    last_position = serializers.IntegerField(help_text="Position of its latest packet.")


class BulkActionSerializer(ActionSerializer):
    fixture_id = serializers.UUIDField()


class ErrorSerializer(serializers.Serializer[Any]):
    """A 4xx body: ``detail``, or lists of messages keyed by the parameter at fault."""

    detail = serializers.CharField(required=False)

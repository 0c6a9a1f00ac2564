"""Query parameters of the list endpoints; a value that does not fit gets a 400 naming it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from streams.dde.values import SEND_TYPES
from streams.meaning.kinds import ActionKind
from streams.models import POSITION_MAX, Action, ActionType, Fixture, FixtureStatus, Packet

BIGINT_MAX = 2**63 - 1
ISO_DATE = ["%Y-%m-%d"]
# Free text: anything but NUL, which Postgres text cannot hold (the form refuses it).
FREE_TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}
BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]
ACTION_ORDERINGS = [
    "timeline_sequence",
    "-timeline_sequence",
    "fixture_seq_num",
    "-fixture_seq_num",
]
# Every ordering ends on a column unique within a fixture, so a cursor position is exact.
ACTION_TIEBREAK = "last_position"
BULK_ORDERING = ("fixture_id", "last_position")
FIXTURE_ORDERING = ("-kickoff", "-id")


def in_utc(moment: dt.datetime) -> dt.datetime:
    """An aware time in UTC. Postgres refuses offsets beyond ±15:59 (which ISO 8601 and
    Python allow), and a time near year 1 or 9999 may not convert: it is clamped."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        return (dt.datetime.min if moment.year == 1 else dt.datetime.max).replace(tzinfo=dt.UTC)


class TypeField(forms.CharField):
    """An action type id (a whole number) or a type name."""

    def clean(self, value: Any) -> int | str | None:
        text = super().clean(value)
        if not text:
            return None
        if re.fullmatch(r"-?[0-9]+", text):
            number = int(text)
            if not 0 <= number <= BIGINT_MAX:
                raise forms.ValidationError("A type id is a whole number from 0.")
            return number
        return str(text)


class TypeFilter(filters.Filter):
    field_class = TypeField


class IntegerFilter(filters.NumberFilter):
    """A whole number in the column's range (NumberFilter alone takes any decimal)."""

    field_class = forms.IntegerField


def position_filter(field_name: str, help_text: str) -> IntegerFilter:
    field = IntegerFilter(
        field_name=field_name,
        lookup_expr="gt",
        min_value=0,
        max_value=POSITION_MAX,
        help_text=help_text,
    )
    schema = {"type": "integer", "minimum": 0, "maximum": POSITION_MAX}
    return extend_schema_field(schema)(field)


def date_filter(help_text: str, *, required: bool = False) -> filters.DateFilter:
    field = filters.DateFilter(
        method="kickoff_between", input_formats=ISO_DATE, required=required, help_text=help_text
    )
    return extend_schema_field({"type": "string", "format": "date"})(field)


def boolean_filter(help_text: str) -> filters.ChoiceFilter:
    # Not BooleanFilter: its field quietly reads an unknown word as "not given".
    field = filters.ChoiceFilter(choices=BOOLEAN_CHOICES, method="keep", help_text=help_text)
    return extend_schema_field({"type": "string", "enum": ["true", "false"]})(field)


class StrictFilterSet(filters.FilterSet):
    """An empty value is an error ("period=" is a slip, not "any period"), but for free text."""

    def is_valid(self) -> bool:
        valid: bool = super().is_valid()
        for name, field in self.filters.items():
            free_text = isinstance(field, filters.CharFilter | TypeFilter)
            if self.data.get(name) == "" and not free_text:
                self.form.add_error(name, "Give a value, or leave the parameter out.")
                valid = False
        return valid


def kickoff_range(
    queryset: QuerySet[Any], field: str, start: dt.date | None, end: dt.date | None
) -> QuerySet[Any]:
    """Kick-offs on dates ``start`` to ``end`` inclusive (UTC), as bounds an index can use."""
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": _midnight(start)})
    if end is not None and end < dt.date.max:
        queryset = queryset.filter(**{f"{field}__lt": _midnight(end + dt.timedelta(days=1))})
    return queryset


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


class FixtureFilter(StrictFilterSet):
    status = filters.ChoiceFilter(choices=FixtureStatus.choices, help_text="Vendor status.")
    kickoff_from = date_filter("Kick-off on or after this date (UTC), YYYY-MM-DD.")
    kickoff_to = date_filter("Kick-off on or before this date (UTC), YYYY-MM-DD.")
    team = extend_schema_field(FREE_TEXT)(
        filters.CharFilter(method="by_team", help_text="Part of the home or away team's name.")
    )
    competition = extend_schema_field(FREE_TEXT)(
        filters.CharFilter(
            field_name="competition", lookup_expr="icontains", help_text="Part of its name."
        )
    )
    live = boolean_filter("true: only fixtures live now; false: only the others.")

    class Meta:
        model = Fixture
        fields: list[str] = []

    def by_kind(self, queryset: QuerySet[Action], name: str, value: str) -> QuerySet[Action]:
        # The catalogue decides, whatever ids the feed numbered its types with.
        return queryset.filter(type_id__in=ActionType.objects.filter(kind=value).values("type_id"))

    def by_team(self, queryset: QuerySet[Fixture], name: str, value: str) -> QuerySet[Fixture]:
        return queryset.filter(Q(home_team__icontains=value) | Q(away_team__icontains=value))

    def kickoff_between(self, queryset: QuerySet[Fixture], name: str, value: Any) -> QuerySet[Any]:
        # Both dates arrive here one at a time; filter_queryset applies them together.
        return queryset

    def keep(self, queryset: QuerySet[Fixture], name: str, value: Any) -> QuerySet[Fixture]:
        return queryset

    def filter_queryset(self, queryset: QuerySet[Fixture]) -> QuerySet[Fixture]:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        queryset = kickoff_range(
            queryset, "kickoff", data.get("kickoff_from"), data.get("kickoff_to")
        )
        if data.get("live") == "true":
            queryset = queryset.filter(pk__in=Fixture.objects.live().values("pk"))
        elif data.get("live") == "false":
            queryset = queryset.exclude(pk__in=Fixture.objects.live().values("pk"))
        return queryset.order_by(*FIXTURE_ORDERING)


class ActionFilterBase(StrictFilterSet):
    """What every action query can ask: type, period, team, send type, removed, changed."""

    type = extend_schema_field(FREE_TEXT)(
        TypeFilter(
            method="by_type",
            help_text="Type id (a number) or type name (any case), e.g. 100 or Goal.",
        )
    )
    kind = filters.ChoiceFilter(
        choices=ActionKind.choices,
        method="by_kind",
        help_text="What the type means in the catalogue (docs/action-types.md), e.g. goal.",
    )
    period = extend_schema_field({"type": "integer", "minimum": 0, "maximum": BIGINT_MAX})(
        IntegerFilter(
            min_value=0,
            max_value=BIGINT_MAX,
            help_text="Period id: 0 set-up, 1 first half, 2 second half...",
        )
    )
    team = filters.ChoiceFilter(
        choices=[("home", "home"), ("away", "away")], method="by_team", help_text="Home or away."
    )
    send_type = filters.ChoiceFilter(
        choices=[(name, name) for name in SEND_TYPES.values()],
        help_text="The action's current sendType.",
    )
    include_removed = boolean_filter(
        "true: also actions whose current state is Cancelled or Deleted (default false)."
    )
    changed_since = filters.IsoDateTimeFilter(
        method="by_change_time",
        help_text="Only actions whose latest packet was received at or after this time.",
    )

    class Meta:
        model = Action
        fields: list[str] = []

    def by_type(self, queryset: QuerySet[Action], name: str, value: int | str) -> QuerySet[Action]:
        if isinstance(value, int):
            return queryset.filter(type_id=value)
        return queryset.filter(type_name__iexact=value)

    def by_kind(self, queryset: QuerySet[Action], name: str, value: str) -> QuerySet[Action]:
        # The catalogue decides, whatever ids the feed numbered its types with.
        return queryset.filter(type_id__in=ActionType.objects.filter(kind=value).values("type_id"))

    def by_team(self, queryset: QuerySet[Action], name: str, value: str) -> QuerySet[Action]:
        return queryset.filter(team_is_home=value == "home")

    def by_change_time(
        self, queryset: QuerySet[Action], name: str, value: dt.datetime
    ) -> QuerySet[Action]:
        latest_packet = Packet.objects.filter(
            fixture_id=OuterRef("fixture_id"),
            position=OuterRef("last_position"),
            received_at__gte=in_utc(value),
        )
        return queryset.filter(Exists(latest_packet))

    def kickoff_between(self, queryset: QuerySet[Action], name: str, value: Any) -> QuerySet[Any]:
        return queryset

    def keep(self, queryset: QuerySet[Action], name: str, value: Any) -> QuerySet[Action]:
        return queryset

    def filter_queryset(self, queryset: QuerySet[Action]) -> QuerySet[Action]:
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("include_removed") != "true":
            queryset = queryset.filter(removed=False)
        return queryset


class FixtureActionFilter(ActionFilterBase):
    after_position = position_filter(
        "last_position", "Only actions that changed after this packet position (0-based)."
    )
    ordering = extend_schema_field({"type": "string", "enum": ACTION_ORDERINGS})(
        filters.ChoiceFilter(
            choices=[(name, name) for name in ACTION_ORDERINGS],
            method="keep",
            help_text="Sort key; a leading - reverses it. Default timeline_sequence.",
        )
    )

    def filter_queryset(self, queryset: QuerySet[Action]) -> QuerySet[Action]:
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering") or ACTION_ORDERINGS[0]
        tiebreak = f"-{ACTION_TIEBREAK}" if ordering.startswith("-") else ACTION_TIEBREAK
        return queryset.order_by(ordering, tiebreak)


class BulkActionFilter(ActionFilterBase):
    kickoff_from = date_filter("Fixtures kicking off on or after this date (UTC).", required=True)
    kickoff_to = date_filter("Fixtures kicking off on or before this date (UTC).", required=True)

    def filter_queryset(self, queryset: QuerySet[Action]) -> QuerySet[Action]:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        fixtures = kickoff_range(
            Fixture.objects.all(), "kickoff", data.get("kickoff_from"), data.get("kickoff_to")
        )
        # In (fixture, position) order, an index, so the first row streams out at once.
        return queryset.filter(fixture__in=fixtures.values("pk")).order_by(*BULK_ORDERING)


class PacketFilter(StrictFilterSet):
    after_position = position_filter("position", "Only packets after this position (0-based).")

    class Meta:
        model = Packet
        fields: list[str] = []

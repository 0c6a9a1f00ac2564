"""A data packet's ``fixtureSummary``, read tolerantly (docs/dde-protocol.md §5.5, §5.6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import islice
from typing import cast

from streams.dde.bounds import CLOCK_CHARS, LABEL_CHARS, PERIODS
from streams.dde.values import (
    COLLECTION_STATUSES,
    FIXTURE_STATUSES,
    as_bool,
    as_datetime,
    as_int,
    as_name,
    enum_name,
)
from streams.dde.wire import PeriodWire, SummaryWire


@dataclass(frozen=True)
class ParsedPeriod:
    """One started period; scores are cumulative, ``*_period_score`` within it (§5.6)."""

    id: int | None
    label: str = ""
    type: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    home_score: int | None = None
    away_score: int | None = None
    home_period_score: int | None = None
    away_period_score: int | None = None


@dataclass(frozen=True)
class ParsedSummary:
    """The fixture state after a packet: a full snapshot, not a delta (§12.6)."""

    home_score: int | None = None
    away_score: int | None = None
    is_tied: bool | None = None
    periods: tuple[ParsedPeriod, ...] = ()
    current_period: int | None = None
    current_status: str | None = None
    collection_status: str | None = None
    clock_time: str | None = None
    clock_state: str | None = None
    home_in_possession: bool | None = None
    finished: bool | None = None


def parse_summary(raw: SummaryWire) -> ParsedSummary:
    """Read a ``fixtureSummary`` object; values of the wrong kind become None, texts are
    cleaned and clipped (``streams.dde.bounds``)."""
    clock_state = as_name(raw.get("currentClockState"), LABEL_CHARS)
    return ParsedSummary(
        home_score=as_int(raw.get("homeTeamScore")),
        away_score=as_int(raw.get("awayTeamScore")),
        is_tied=as_bool(raw.get("isTied")),
        periods=_periods(raw.get("periods")),
        current_period=as_int(raw.get("currentPeriod")),
        current_status=enum_name(raw.get("currentStatus"), FIXTURE_STATUSES),
        collection_status=enum_name(raw.get("collectionStatus"), COLLECTION_STATUSES),
        clock_time=as_name(raw.get("currentClockTime"), CLOCK_CHARS) or None,
        # The docs list "Running"/"Stopped", the wire sends "running" (§5.5).
        clock_state=clock_state.lower() if clock_state else None,
        home_in_possession=_possession(raw),
        finished=as_bool(raw.get("finished")),
    )


def _possession(raw: SummaryWire) -> bool | None:
    # The wire spells it "Possesion"; the object page "Possession" (§5.5). Accept both.
    wire = as_bool(raw.get("isHomeTeamInPossesion"))
    return wire if wire is not None else as_bool(raw.get("isHomeTeamInPossession"))


def _periods(value: object) -> tuple[ParsedPeriod, ...]:
    # ``periods`` may lag ``currentPeriod`` (§5.5): keep the list as sent (its first
    # PERIODS), never index it.
    if not isinstance(value, list):
        return ()
    listed = (cast(PeriodWire, item) for item in value if isinstance(item, dict))
    return tuple(_period(item) for item in islice(listed, PERIODS))


def _period(raw: PeriodWire) -> ParsedPeriod:
    return ParsedPeriod(
        id=as_int(raw.get("id")),
        label=as_name(raw.get("label"), LABEL_CHARS),
        type=as_name(raw.get("type"), LABEL_CHARS),
        start=as_datetime(raw.get("start")),
        end=as_datetime(raw.get("end")),
        home_score=as_int(raw.get("homeTeamScore")),
        away_score=as_int(raw.get("awayTeamScore")),
        home_period_score=as_int(raw.get("homeTeamPeriodScore")),
        away_period_score=as_int(raw.get("awayTeamPeriodScore")),
    )

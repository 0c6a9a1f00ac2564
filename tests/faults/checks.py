"""Checks on a campaign's recorded histories, and the figures they produce.

Nothing here trusts the product's own account: the stored log is compared with the
simulator's full log, Actions and the Fixture with a replay of that log from scratch,
writers with an audit trigger's record, viewers with what they received, and times with
the simulator's journal and the controller's polling of Postgres locks.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from streams.dde.messages import DataPacket, parse_frame
from streams.feed.rules import fixture_fields, next_action_state
from streams.models import Action, Fixture
from streams.simulator.journal import Entry
from tests.faults.records import CampaignResult, MatchRecord, Recovery

FAULT_KINDS = (
    "drop_1000", "drop_1001", "drop_1006", "drop_1011", "stall", "malformed_frame",
    "repeated_packet", "http_503", "token_rejected", "worker_kill", "redis_restart",
    "postgres_restart", "duplicate_dispatch", "viewer_disconnect",
)  # fmt: skip
_JOURNAL_KINDS = {
    "silence": "stall",
    "malformed": "malformed_frame",
    "repeat": "repeated_packet",
    "token_refused": "token_rejected",
}


@dataclass
class MatchFigures:
    fixture_id: str
    faults: Counter[str] = field(default_factory=Counter)
    packets_expected: int = 0
    packets_stored: int = 0
    missing: int = 0
    duplicates: int = 0
    payload_mismatches: int = 0
    actions_compared: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)
    listeners: int = 0
    viewer_messages: int = 0
    duplicates_refused: int = 0
    rejected_frames: int = 0
    reconnects: int = 0

    def problem(self, check: str, text: str) -> None:
        self.problems.setdefault(check, []).append(text)

    @property
    def fault_total(self) -> int:
        return sum(self.faults.values())


@dataclass
class Figures:
    matches: list[MatchFigures]
    timings: dict[str, list[float]]
    unattributed: dict[str, int]
    slowest_resumes: list[str] = field(default_factory=list)

    def problems(self, check: str) -> list[str]:
        return [
            f"{m.fixture_id}: {text}" for m in self.matches for text in m.problems.get(check, [])
        ]


def analyse(result: CampaignResult) -> Figures:
    timings: dict[str, list[float]] = {
        "resume_after_drop": [],
        "stall_detected": [],
        "token_accepted_again": [],
        "followed_again_after_worker_kill": [],
        "followed_again_after_postgres_restart": [],
        "postgres_restart_downtime": [],
        "redis_restart_downtime": [],
    }
    unattributed = Counter[str]()
    matches = []
    for record in result.matches:
        figures = MatchFigures(record.fixture_id)
        count_faults(record, result.recoveries, figures)
        check_log(record, figures)
        check_replay(record, figures)
        check_writers(record, figures)
        check_viewers(record, figures)
        measure_wire(record, result.recoveries, figures, timings, unattributed)
        matches.append(figures)
    for viewer in result.viewers_not_final:
        for figures in matches:
            if figures.fixture_id == viewer.fixture_id:
                figures.problem("viewers", f"viewer {viewer.number} stuck at {viewer.position}")
    for recovery in result.recoveries:
        measure_recovery(recovery, timings)
    figures = Figures(matches, timings, dict(unattributed))
    figures.slowest_resumes = slowest_resumes(result.matches, result.recoveries, 5)
    return figures


def count_faults(record: MatchRecord, recoveries: list[Recovery], figures: MatchFigures) -> None:
    faults = figures.faults
    for entry in record.journal:
        if entry.kind == "drop":
            faults[f"drop_{entry.detail.split('@')[0]}"] += 1
        elif entry.kind == "upgrade_refused" and entry.detail == "503":
            faults["http_503"] += 1
        elif entry.kind in _JOURNAL_KINDS:
            faults[_JOURNAL_KINDS[entry.kind]] += 1
    for recovery in recoveries:
        # A kill counts for the fixtures whose listener it took; a restart for every
        # fixture of the wave, all of them live when it happened.
        if recovery.kind == "worker_kill":
            faults["worker_kill"] += record.fixture_id in recovery.lost
        elif _during_match(record, recovery.at):
            faults[recovery.kind] += 1
    faults["duplicate_dispatch"] += record.duplicate_dispatches
    figures.duplicates_refused = record.duplicates_refused
    faults["viewer_disconnect"] += sum(v.disconnects for v in record.viewers)


def _during_match(record: MatchRecord, at: float) -> bool:
    times = [e.at for e in record.journal if e.kind == "authorised"]
    return bool(times) and times[0] <= at <= record.journal[-1].at


def check_log(record: MatchRecord, figures: MatchFigures) -> None:
    """The stored packet log equals the simulator's full log, position by position."""
    expected, stored = record.expected, dict(record.stored)
    figures.packets_expected, figures.packets_stored = len(expected), len(record.stored)
    figures.rejected_frames, figures.reconnects = record.rejected_frames, record.reconnects
    figures.missing = sum(1 for position in range(len(expected)) if position not in stored)
    figures.payload_mismatches = sum(
        1 for position, payload in enumerate(expected)
        if position in stored and stored[position] != payload
    )  # fmt: skip
    keys = Counter(_key(payload) for _, payload in record.stored)
    figures.duplicates = sum(n - 1 for n in keys.values() if n > 1) + sum(
        1 for position in stored if position >= len(expected)
    )
    for name in ("missing", "payload_mismatches", "duplicates"):
        if getattr(figures, name):
            figures.problem("log", f"{name.replace('_', ' ')}: {getattr(figures, name)}")
    if len(expected) < 700:
        figures.problem("log", f"the simulator's log has only {len(expected)} packets")


def _key(payload: dict[str, Any]) -> tuple[str, int]:
    action = payload["fixtureAction"]
    return action["actionId"], action["fixtureSeqNum"]


def replay(record: MatchRecord) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Fixture summary and Action states folded from scratch from the simulator's log."""
    fixture = Fixture(**record.fixture_static)
    states: dict[str, dict[str, Any]] = {}
    for position, payload in enumerate(record.expected):
        packet = parse_frame(json.dumps(payload))
        assert isinstance(packet, DataPacket), f"position {position} does not parse"
        action_id = packet.action.action_id
        states[action_id] = next_action_state(states.get(action_id), packet, position)
        for name, value in fixture_fields(packet).items():
            setattr(fixture, name, value)
        fixture.last_position = position
    actions = {a: Action(action_id=a, **state).to_payload() for a, state in states.items()}
    return fixture.to_payload(), actions


def without_feed_state(fixture: dict[str, Any] | None) -> dict[str, Any]:
    """A fixture payload less ``feed``: the listener's liveness as of when it was read
    (streams/meaning/freshness.py), not anything the log says."""
    return {k: v for k, v in (fixture or {}).items() if k != "feed"}


def check_replay(record: MatchRecord, figures: MatchFigures) -> None:
    fixture, actions = replay(record)
    figures.actions_compared = len(actions)
    fixture, stored = without_feed_state(fixture), without_feed_state(record.fixture)
    for name in sorted(set(fixture) | set(stored)):
        if fixture.get(name) != stored.get(name):
            figures.problem("replay", f"fixture {name}: stored {record.fixture.get(name)!r}")
    if set(actions) != set(record.actions):
        figures.problem("replay", f"action ids differ: {len(actions)} vs {len(record.actions)}")
    for action_id in sorted(set(actions) & set(record.actions)):
        if actions[action_id] != record.actions[action_id]:
            figures.problem("replay", f"action {action_id} differs from its replay")


def check_writers(record: MatchRecord, figures: MatchFigures) -> None:
    """Each packet was written by the listener that held the fixture (its epoch), and the
    writing spans of successive listeners never overlap."""
    spans: dict[int, list[dt.datetime]] = {}
    for position, writer, fixture_epoch, _pid, at in record.writes:
        if writer is None or writer != fixture_epoch:
            figures.problem("writers", f"position {position} by epoch {writer} of {fixture_epoch}")
            continue
        spans.setdefault(writer, []).append(at)
    ordered = sorted((min(times), max(times), epoch) for epoch, times in spans.items())
    figures.listeners = len(ordered)
    for (_, end, epoch), (start, _, later) in itertools.pairwise(ordered):
        if start <= end or later < epoch:
            figures.problem("writers", f"listeners {epoch} and {later} stored at the same time")
    if len(record.writes) != len(record.stored):
        figures.problem(
            "writers", f"{len(record.writes)} audited writes, {len(record.stored)} rows"
        )


def check_viewers(record: MatchRecord, figures: MatchFigures) -> None:
    fresh = record.fresh_snapshot
    fresh_actions = {a["action_id"]: a for a in fresh.get("actions", [])}
    if fresh.get("position") != len(record.expected) - 1:
        figures.problem("viewers", f"a fresh load is at position {fresh.get('position')}")
    # Stored state, without the rows the server draws from it (compared viewer by viewer).
    stored_state = {i: {k: v for k, v in a.items() if k != "row"} for i, a in fresh_actions.items()}
    fresh_fixture = without_feed_state(fresh.get("fixture"))
    if fresh_fixture != without_feed_state(record.fixture) or stored_state != record.actions:
        figures.problem("viewers", "a fresh load differs from what is stored")
    if not record.viewers:
        figures.problem("viewers", "no viewer watched")
    for viewer in record.viewers:
        figures.viewer_messages += viewer.messages
        for violation in viewer.violations:
            figures.problem("viewers", f"viewer {viewer.number}: {violation}")
        if without_feed_state(viewer.fixture) != fresh_fixture or viewer.actions != fresh_actions:
            figures.problem("viewers", f"viewer {viewer.number} ended unlike a fresh load")


def measure_wire(
    record: MatchRecord,
    recoveries: list[Recovery],
    figures: MatchFigures,
    timings: dict[str, list[float]],
    unattributed: Counter[str],
) -> None:
    """Resume after each drop, detection of each stall, and the token's comeback, from the
    simulator's journal; spans that overlap a process fault are that fault's, not these."""
    journal, last_index = record.journal, len(record.expected) - 1
    faults_at = [(r.at, _recovered_by(r)) for r in recoveries]
    stale = superseded_connections(journal)
    for i, entry in enumerate(journal):
        if entry.connection in stale:
            if entry.kind in ("drop", "silence"):
                unattributed[f"{entry.kind}s on a superseded listener's connection"] += 1
            continue
        if entry.kind == "drop":
            resumed = _next(
                journal, i, lambda e: e.kind == "authorised" and e.connection not in stale
            )
            if resumed is None:
                if not entry.detail.endswith(f"@{last_index}"):
                    figures.problem("timings", f"no resume after the drop at {entry.detail}")
                continue
            span = journal[i : journal.index(resumed)]
            if any(e.kind == "token_refused" for e in span) or _overlaps(entry, resumed, faults_at):
                unattributed["drop resumes overlapping a token refusal or process fault"] += 1
                continue
            timings["resume_after_drop"].append(resumed.at - entry.at)
        elif entry.kind == "silence":
            end = _next(journal, i, lambda e, c=entry.connection: e.connection == c)  # type: ignore[misc]
            if end is None or _overlaps(entry, end, faults_at):
                unattributed["stalls overlapping a process fault"] += 1
            elif end.kind != "closed":
                figures.problem("timings", f"a stall went unnoticed ({end.kind})")
            else:
                timings["stall_detected"].append(end.at - entry.at)
        elif entry.kind == "token_refused" and _previous_kind(journal, i) != "token_refused":
            accepted = _next(journal, i, lambda e: e.kind == "authorised")
            if accepted is not None:
                timings["token_accepted_again"].append(accepted.at - entry.at)


def superseded_connections(journal: list[Entry]) -> set[int]:
    """Connections of a listener that had already been replaced: authorised from a lower
    position than an earlier connection. A new listener starts from what is stored, which
    only grows; one that lost its lock (say in a Postgres restart) and has not noticed yet
    reconnects from where it was, until it sees the new listener's epoch and stops."""
    stale, furthest = set(), -1
    for entry in journal:
        if entry.kind == "authorised":
            start = int(entry.detail)
            if start < furthest:
                stale.add(entry.connection)
            furthest = max(furthest, start)
    return stale


def slowest_resumes(
    records: list[MatchRecord], recoveries: list[Recovery], count: int
) -> list[str]:
    """The longest drop-to-authorised spans with what the journal shows between, so a
    slow resume can be explained (a 503, a refused token, a process fault)."""
    windows = [(r.at, _recovered_by(r), r.kind) for r in recoveries]
    spans = []
    for record in records:
        journal = record.journal
        for i, entry in enumerate(journal):
            if entry.kind != "drop":
                continue
            resumed = _next(journal, i, lambda e: e.kind == "authorised")
            if resumed is not None:
                between = [e.kind for e in journal[i + 1 : journal.index(resumed)]]
                between += [
                    f"during {kind}" for begin, until, kind in windows
                    if entry.at - 1.0 <= until and begin <= resumed.at
                ]  # fmt: skip
                spans.append((resumed.at - entry.at, record.fixture_id, entry.detail, between))
    spans.sort(reverse=True)
    return [
        f"{s:.2f} s after drop {d} of {f}: {', '.join(b) or '-'}" for s, f, d, b in spans[:count]
    ]


def _next(journal: list[Entry], index: int, wanted: Any) -> Entry | None:
    return next((e for e in journal[index + 1 :] if wanted(e)), None)


def _previous_kind(journal: list[Entry], index: int) -> str:
    for entry in reversed(journal[:index]):
        if entry.kind in ("token_refused", "authorised"):
            return entry.kind
    return ""


def _recovered_by(recovery: Recovery) -> float:
    """When every listener the fault took was back (the service's return for a restart
    that took none): a drop or stall before then may be waiting on the fault, not on
    the reconnect logic."""
    return max(recovery.followed_again.values(), default=recovery.back_at)


def _overlaps(start: Entry, end: Entry, windows: list[tuple[float, float]]) -> bool:
    return any(start.at - 1.0 <= until and begin <= end.at for begin, until in windows)


def measure_recovery(recovery: Recovery, timings: dict[str, list[float]]) -> None:
    again = [t - recovery.at for t in recovery.followed_again.values()]
    if recovery.kind == "worker_kill":
        timings["followed_again_after_worker_kill"] += again
    elif recovery.kind == "postgres_restart":
        timings["followed_again_after_postgres_restart"] += again
        timings["postgres_restart_downtime"].append(recovery.back_at - recovery.at)
    elif recovery.kind == "redis_restart":
        timings["redis_restart_downtime"].append(recovery.back_at - recovery.at)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

"""The action-type catalogue in Postgres, and the timeline rows drawn with it.

The ingest statement records every type the feed sends (``streams.feed.writer``); this module
reads it back: the kinds to describe actions with (``streams.meaning``), the actions that
can explain a removal, and the refresh that tells open match centres when staff change a
kind (docs/action-types.md, docs/live-protocol.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Collate, Length

from streams.meaning.drawing import VIDEO_CHECK_KINDS
from streams.meaning.timeline import Kinds, Timeline
from streams.models import Action, ActionType, ActionTypeSighting, action_payload
from streams.stored import StoredPacket, StoreResult


def load_kinds() -> Kinds:
    """Every catalogued type's kind: a small table, read whole for each page or snapshot."""
    return Kinds(dict(ActionType.objects.values_list("type_id", "kind")))


# The timeline's order: by match time (the period, then the clock), the vendor's timeline
# sequence only breaking ties, as fans read a match; an action sent late, or a review
# closed after the next incident was logged, still sits at its minute. The clock ("MM:SS",
# "105:20") sorts by length, then byte by byte ("C": no locale's rules), which is its
# time; static/streams/actions.js compareActions() is the same order. NULLs sort last.
TIMELINE_ORDER: Final = (
    F("period").asc(nulls_last=True),
    Length("clock_time"),
    Collate("clock_time", "C"),
    F("timeline_sequence").asc(nulls_last=True),
    F("fixture_seq_num").asc(nulls_last=True),
    "first_position",
)


def timeline_actions(fixture_id: uuid.UUID) -> QuerySet[Action]:
    """A fixture's actions in timeline order (``TIMELINE_ORDER``)."""
    return Action.objects.filter(fixture_id=fixture_id).order_by(*TIMELINE_ORDER)


def explaining_actions(fixture_id: uuid.UUID, kinds: Kinds) -> list[dict[str, Any]]:
    """The fixture's actions that a removal's reason can depend on: removed ones, video
    checks and those that point at others (``Timeline.removal_reason``)."""
    checks = kinds.ids_of(VIDEO_CHECK_KINDS)
    relevant = Q(removed=True) | ~Q(related_action_ids=[]) | Q(type_id__in=checks)
    return [action.to_payload() for action in timeline_actions(fixture_id).filter(relevant)]


def _needs_context(action: Mapping[str, Any], kinds: Kinds) -> bool:
    return bool(
        action["removed"] or action["related_action_ids"] or kinds.of(action) in VIDEO_CHECK_KINDS
    )


def describe_stored(fixture_id: uuid.UUID, result: StoreResult) -> StoreResult:
    """The stored packets with each action's row, and the removed actions whose row the
    packet changed (``related``), as the listener broadcasts them.

    Most packets need nothing but their own action and the kinds the ingest statement
    returned; a removal, a video check or an action pointing at others reads the fixture's
    explaining actions (one query), since its row or theirs depends on them.
    """
    if not result.stored:
        return result
    kinds = Kinds(result.kinds)
    if not any(_needs_context(s.action, kinds) for s in result.stored):
        timeline = Timeline([], kinds)
        stored = [replace(s, action=timeline.with_row(s.action)) for s in result.stored]
        return replace(result, stored=stored)
    kinds = load_kinds()  # the checks' ids, not only the batch's
    context = explaining_actions(fixture_id, kinds)
    return replace(result, stored=_described(context, result.stored, kinds))


def _described(
    context: list[dict[str, Any]], stored: Sequence[StoredPacket], kinds: Kinds
) -> list[StoredPacket]:
    """Each packet described against the actions as they were right after it. The context
    was read after the commit, so it holds the batch's final states: an action the batch
    changes enters it only with the batch's packet for it, never ahead of its time."""
    in_batch = {s.action["action_id"] for s in stored}
    current = {a["action_id"]: a for a in context if a["action_id"] not in in_batch}
    described = []
    for s in stored:
        current[s.action["action_id"]] = s.action
        timeline = Timeline(current.values(), kinds)
        related = [timeline.with_row(other) for other in timeline.explained_by(s.action)]
        described.append(replace(s, action=timeline.with_row(s.action), related=related))
    return described


def describe_actions(
    fixture_id: uuid.UUID, actions: Sequence[Action], *, all_of_them: bool
) -> list[dict[str, Any]]:
    """Action payloads with their rows, for a page or a snapshot. ``all_of_them``: the
    actions are the fixture's whole timeline, so they are their own context; otherwise
    the fixture's explaining actions are read too."""
    return describe_payloads(fixture_id, [action.to_payload() for action in actions], all_of_them)


def timeline_payloads(fixture_id: uuid.UUID) -> list[dict[str, Any]]:
    """A fixture's actions as payloads in timeline order, read as values: a model instance
    per action cost a page of a thousand actions a quarter of its time."""
    rows = timeline_actions(fixture_id).values("action_id", *PAYLOAD_FIELDS)
    return [action_payload(row["action_id"], row) for row in rows]


# The columns ``action_payload`` reads.
PAYLOAD_FIELDS: Final = (
    "type_id", "type_name", "subtype_id", "subtype_name", "send_type", "send_type_id",
    "period", "clock_time", "timestamp", "team_id", "team_name", "team_is_home",
    "player_id", "player_name", "metadata", "related_action_ids", "timeline_sequence",
    "fixture_seq_num", "removed", "restored", "delayed", "first_position", "last_position",
)  # fmt: skip


def describe_payloads(
    fixture_id: uuid.UUID, payloads: list[dict[str, Any]], all_of_them: bool
) -> list[dict[str, Any]]:
    """``describe_actions`` for actions already made payloads."""
    kinds = load_kinds()
    context = payloads
    if not all_of_them and any(_needs_context(a, kinds) for a in payloads):
        by_id = {a["action_id"]: a for a in explaining_actions(fixture_id, kinds)}
        context = list({**by_id, **{a["action_id"]: a for a in payloads}}.values())
    timeline = Timeline(context, kinds)
    return [timeline.with_row(action) for action in payloads]


def fixtures_showing(type_ids: Iterable[int]) -> list[uuid.UUID]:
    """The fixtures whose feeds sent any of these types."""
    sightings = ActionTypeSighting.objects.filter(type_id__in=list(type_ids))
    return list(sightings.values_list("fixture_id", flat=True).distinct())

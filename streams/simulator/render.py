"""Turn a match script into vendor packets (docs/dde-protocol.md §5) and their release offsets."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from streams.simulator import hostile
from streams.simulator.script import Action, Emission, Script
from streams.simulator.state import MatchState
from streams.simulator.variant import DEFAULT_VARIANT, MatchVariant

PACKET_VERSION = 3


def wire_timestamp(moment: dt.datetime) -> str:
    """``2023-10-17T15:44:16.214769Z``: UTC with microseconds."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def period_stamp(moment: dt.datetime) -> str:
    """Period start/end: UTC without fraction and without ``Z`` (§5.6)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def timeline_sequence(period: int, seq: int) -> float:
    # Period plus a tail echoing fixtureSeqNum (§6 "Observed relations"); the step is far
    # above a double's resolution near 3, so every value is distinct and increasing.
    return period + seq * 1e-12


def _action_payload(
    fixture_id: uuid.UUID,
    script: Script,
    emission: Emission,
    seq: int,
    when: dt.datetime,
    variant: MatchVariant,
) -> dict[str, Any]:
    action: Action = emission.action
    type_id, type_name = variant.wire_type(action.type_id)
    payload: dict[str, Any] = {
        "actionId": str(action.id),
        "fixtureId": str(fixture_id),
        "period": action.period,
        "clockTime": action.clock,
        "timestamp": wire_timestamp(when),
        "sendType": emission.send_type.name,
        "sendTypeId": int(emission.send_type),
        "fixtureSeqNum": seq,
        "timelineSequence": timeline_sequence(action.period, seq),
        "fixtureActionType": type_name,
        "fixtureActionTypeId": type_id,
    }
    if action.sub_type is not None:
        sub_type_id, sub_type_name = variant.wire_sub_type(action.sub_type)
        payload["fixtureActionSubType"] = sub_type_name
        payload["fixtureActionSubTypeId"] = sub_type_id
    if action.home is not None:
        team = script.team(action.home)
        name = variant.wire_name(team.name, seq, 0)
        payload["team"] = {"id": str(team.id), "name": name, "homeTeam": action.home}
    if action.player is not None:
        player = action.player.to_wire()
        payload["player"] = {**player, "name": variant.wire_name(player["name"], seq, 1)}
    metadata = hostile.hostile_metadata(action.metadata) if variant.hostile else action.metadata
    if metadata is not None:
        payload["metadata"] = metadata
    payload["relatedFixtureActionIds"] = list(action.related)
    return payload


def render(
    script: Script,
    fixture_id: uuid.UUID,
    kickoff: dt.datetime,
    pace: float,
    variant: MatchVariant = DEFAULT_VARIANT,
) -> tuple[list[dict[str, Any]], list[float]]:
    """Packets in send order with ``fixtureSeqNum`` 1..n, and seconds after kick-off
    (divided by ``pace``) at which each is produced; type ids as ``variant`` numbers them
    (``fixtureSummary`` carries none)."""
    # Trace ids come from their own stream so they never shift the match itself.
    traces = random.Random(fixture_id.int ^ 0x7ACE)
    state = MatchState()
    packets: list[dict[str, Any]] = []
    offsets: list[float] = []
    for seq, emission in enumerate(script.ordered(), start=1):
        offset = round(emission.at / pace, 6)
        when = kickoff + dt.timedelta(seconds=offset)
        if emission.effect is not None:
            emission.effect(state, period_stamp(when))
        summary = state.snapshot(
            script.clock.text(emission.at), script.clock.is_running(emission.at)
        )
        packets.append(
            {
                "traceId": f"{traces.getrandbits(128):032x}",
                "version": PACKET_VERSION,
                "finished": state.finished,
                "fixtureAction": _action_payload(fixture_id, script, emission, seq, when, variant),
                "fixtureSummary": summary,
            }
        )
        offsets.append(offset)
    return packets, offsets

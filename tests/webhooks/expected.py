"""What a receiver should get, worked out from the packets' own words (type and send-type
names, the summary's statuses), not through the product's catalogue."""

from __future__ import annotations

from streams.dde.messages import DataPacket

CORRECTING = {"Updated", "Cancelled", "Deleted", "Restored"}


def expected_events(packets: list[DataPacket]) -> list[set[str]]:
    seen: dict[str, int | None] = {}
    statuses = ("", "")
    events = []
    for packet in packets:
        action = packet.action
        kinds: set[str] = set()
        earlier = action.action_id in seen
        stale = earlier and (seen[action.action_id] or 0) > (action.fixture_seq_num or 0)
        if earlier and not stale and action.send_type in CORRECTING:
            kinds.add("correction")
        elif not stale and action.send_type not in ("Cancelled", "Deleted"):
            if action.type_name == "Goal":
                kinds.add("goal")
            elif action.type_name in ("Yellow Card", "Red Card"):
                kinds.add("card")
        if not stale:
            seen[action.action_id] = action.fixture_seq_num
        if packet.summary is not None:
            after = (
                packet.summary.current_status or statuses[0],
                packet.summary.collection_status or statuses[1],
            )
            if after != statuses:
                kinds.add("status_change")
            statuses = after
        if packet.finished:
            kinds.add("match_finished")
        events.append(kinds)
    return events

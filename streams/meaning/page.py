"""What the match page carries of a timeline, so that its size is bounded by the page's
rules, not by how long the feed ran (docs/live-protocol.md "The match page").

A match page used to draw every action twice: as a row of HTML and again, whole, in the
embedded JSON the match centre counts from. A 3,000-action match came to 3.4 MB. Now:

- the rows drawn are the newest ``RECENT_ROWS`` actions and the newest ``KEY_ROWS`` key
  events before them; the whole log is on the paged actions page (``LOG_PAGE_ROWS`` a
  page), linked from the timeline;
- the JSON holds every action, but only what the browser counts with (kind, side, period,
  clock, order, positions; a clock correction's adjustment), as a table: about
  150 bytes an action, whatever its names and metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from streams.meaning.drawing import CLOCK_KINDS

# The newest actions drawn on the page, key or not ("All actions"): a real match of up to
# this many (most are) is drawn whole.
RECENT_ROWS: Final = 1_000
# Key events and bands (kick-off, half-time) before those drawn too: a real match has a
# few dozen in all.
KEY_ROWS: Final = 200
# Rows on one page of the paged actions log.
LOG_PAGE_ROWS: Final = 500

# What static/streams/ reads off an action the page was rendered with: actions.js
# (order, side, kind), stats.js (period, clock, positions, removed), clock.js (the
# newest's timestamp, and an adjustment's metadata), lineups.js (the player, to mark
# goals, cards and substitutions on the lineup). Live changes carry whole actions.
COUNTED_FIELDS: Final = (
    "action_id",
    "period",
    "clock_time",
    "timestamp",
    "timeline_sequence",
    "fixture_seq_num",
    "first_position",
    "last_position",
    "team_is_home",
    "player_id",
    "removed",
)
_CLOCK_KIND_NAMES: Final = frozenset(CLOCK_KINDS.values())
# The metadata of a clock action that clock.js reads ("Adjust Clock" by so many seconds).
CLOCK_METADATA: Final = ("adjustmentSeconds",)


def counted(actions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the page's JSON carries of its actions (with rows): a table, ``fields`` naming
    its columns and a row per action, since field names repeated on every action were
    half its size. actions.js ``unpackActions()`` makes the actions again."""
    return {
        "fields": [*COUNTED_FIELDS, "kind", "detail", "metadata"],
        "rows": [
            [
                *(action[field] for field in COUNTED_FIELDS),
                action["row"]["kind"],
                action["row"]["detail"],
                _clock_metadata(action),
            ]
            for action in actions
        ],
    }


def _clock_metadata(action: dict[str, Any]) -> dict[str, Any] | None:
    """Of an action's metadata, what clock.js reads: a clock correction's adjustment. Any
    other metadata stays on the server, however much the feed sent."""
    if action["row"]["kind"] not in _CLOCK_KIND_NAMES:
        return None
    metadata = action["metadata"] if isinstance(action["metadata"], dict) else {}
    return {key: metadata[key] for key in CLOCK_METADATA if key in metadata}


def _in_key_view(row: dict[str, Any]) -> bool:
    return bool(row["key"] or row["divider"])  # the key events and the half-time bands


def rows_shown(actions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The actions (in timeline order, with rows) whose rows the page draws: the newest
    ``RECENT_ROWS`` actions, and the newest ``KEY_ROWS`` of the key events and bands
    (kick-off, half-time) before them, in timeline order."""
    recent_from = max(0, len(actions) - RECENT_ROWS)
    shown_in_key_view = [i for i in range(recent_from) if _in_key_view(actions[i]["row"])]
    key_at = shown_in_key_view[-KEY_ROWS:]
    return [actions[i] for i in key_at] + list(actions[recent_from:])

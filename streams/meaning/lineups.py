"""The lineups and match conditions panels: what the Lineups and Match Conditions actions
say, read once here (their rows carry it as ``panel``; the page embeds the newest of each).

Placeholder: nothing is read yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from streams.meaning.kinds import ActionKind


def panel_of(kind: ActionKind, action: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a Lineups or Match Conditions action says, for its row's ``panel``; None for
    any other action."""
    return None


def panels(actions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The page's "panels-data": the newest lineup of each team and the conditions, from
    actions with rows, in timeline order."""
    return {}

"""Reading the server-rendered pages."""

from __future__ import annotations

import re


def timeline_rows(html: str) -> dict[str, str]:
    """Each server-rendered timeline row by action id."""
    rows = re.findall(
        r'(<li class="action[^"]*" data-action-id="([0-9a-f-]+)" data-kind="\w+">.*?</li>)', html
    )
    return {action_id: row for row, action_id in rows}

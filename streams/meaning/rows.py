"""A timeline row as HTML, for the server-rendered pages (the match page and the paged log).

Written out here rather than with a template include per row: a thousand includes were
half the match page's server time (docs/benchmarks.md). Every value is escaped; the
markup is the one ``<template id="action-row">`` in templates/streams/fixture_detail.html
gives the browser, which drawing.js ``drawRow()`` fills the same way for live actions
(tests/browser/test_renumbered.py compares the two, row by row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any


def row_html(action: Mapping[str, Any], running: str = "") -> str:
    """One ``<li>`` for an action with its row; ``running``: the score its row shows."""
    r = action["row"]
    flags = (("key", r["key"]), ("divider", r["divider"]), ("routine", not r["sentence"]))
    classes = " ".join([r["side"], r["state"], *(name for name, on in flags if on)])
    title = f' title="{escape(r["clock"])}"' if r["clock"] else ""
    late = "" if r["delayed"] else " hidden"
    return (
        f'<li class="action {escape(classes)}"'
        f' data-action-id="{escape(str(action["action_id"]))}" data-kind="{escape(r["kind"])}">'
        f'<span class="t"{title}>{escape(r["minute"])}</span>'
        f'<svg class="icon" aria-hidden="true"><use href="#i-{escape(r["icon"])}"></use></svg>'
        f'<span class="what"><span class="running">{escape(running)}</span> '
        f'<span class="title">{escape(r["title"])}</span> '
        f'<span class="who">{escape(r["who"])}</span> '
        f'<span class="said">{escape(r["sentence"])}</span> '
        f'<span class="late"{late}>Sent late</span></span>'
        f'<span class="note">{escape(r["note"])}</span><span class="folded"></span></li>'
    )


def rows_html(actions: Iterable[Mapping[str, Any]], running: Mapping[str, str]) -> str:
    """The rows of ``actions``, one a line."""
    return "\n".join(row_html(a, running.get(str(a["action_id"]), "")) for a in actions)

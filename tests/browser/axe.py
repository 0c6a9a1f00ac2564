"""axe-core (package.json, installed by npm ci) run inside a page: accessibility checks.

Injected by the tests only, never served by the site. The page must be opened with
``bypass_csp=True``: the script goes in inline, which the site's policy refuses.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
IMPACTS = ("critical", "serious", "moderate", "minor")
FAILING = ("critical", "serious")

# Each violation cut down to what a person reads: the rule, its impact and where.
RUN = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (WCAG 2.x A and AA rules, best practices)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run npm ci (scripts/test.sh does)")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN)
    return found


def summary(label: str, found: list[dict[str, Any]]) -> str:
    """The report: "axe list: critical 0, serious 1 (2 nodes), ...", a line per violation."""
    rules = Counter(v["impact"] for v in found)
    nodes = Counter({impact: 0 for impact in IMPACTS})
    for v in found:
        nodes[v["impact"]] += len(v["nodes"])
    counts = ", ".join(f"{i} {rules[i]} ({nodes[i]} nodes)" for i in IMPACTS)
    lines = [f"axe {label}: {counts}"]
    for v in found:
        targets = "; ".join(n["target"] for n in v["nodes"][:4])
        lines.append(f"  {v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return "\n".join(lines)


def assert_no_serious_violations(page: Page, label: str) -> list[dict[str, Any]]:
    """Runs axe, prints the summary to the test's output (and keeps the whole result in
    test-artifacts/axe-<label>.json), fails on any serious or critical violation. Returns
    every violation found, the milder ones too."""
    found = violations(page)
    # The summary is the test's report: pytest shows it with -s, or on a failure.
    print(summary(label, found))  # noqa: T201
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{label}.json").write_text(json.dumps(found, indent=2))
    serious = [v for v in found if v["impact"] in FAILING]
    assert not serious, summary(label, serious)
    return found

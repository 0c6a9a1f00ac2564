"""The figures of a campaign as Markdown (for docs/reliability.md) and JSON."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
from pathlib import Path
from typing import Any

from tests.faults.checks import FAULT_KINDS, Figures, percentile
from tests.faults.records import CampaignResult

# Targets from the issue; None: measured and reported, no target.
TARGETS: dict[str, str] = {
    "resume_after_drop": "p99 ≤ 2 s",
    "stall_detected": "≤ 20 s (watchdog {watchdog:g} s here)",
    "followed_again_after_worker_kill": "≤ {kill_target:g} s (one tick + 2 s)",
}
CHECKS = ("log", "replay", "writers", "viewers", "timings")


def summary(result: CampaignResult, figures: Figures) -> dict[str, Any]:
    matches = figures.matches
    faults = {kind: sum(m.faults[kind] for m in matches) for kind in FAULT_KINDS}
    per_match = [m.fault_total for m in matches]
    timings = {
        name: {
            "n": len(values),
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "max": max(values) if values else math.nan,
        }
        for name, values in figures.timings.items()
    }
    config = result.config
    return {
        "run": {
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
            + platform.python_version(),
            "matches": len(matches),
            "waves": math.ceil(config.matches / config.wave_size),
            "pace": config.pace,
            "wall_seconds": round(result.wall_seconds, 1),
            "wire_faults": result.wire_faults,
            "watchdog_seconds": config.watchdog,
            "heartbeat_seconds": config.heartbeat,
            "dispatch_interval_seconds": config.dispatch_interval,
            "viewers": sum(len(m.viewers) for m in result.matches),
        },
        "faults": faults,
        "faults_total": sum(faults.values()),
        "faults_per_match": {"min": min(per_match), "max": max(per_match)},
        "integrity": {
            "packets_compared": sum(m.packets_expected for m in matches),
            "missing": sum(m.missing for m in matches),
            "duplicates": sum(m.duplicates for m in matches),
            "payload_mismatches": sum(m.payload_mismatches for m in matches),
            "actions_compared": sum(m.actions_compared for m in matches),
            "listeners_that_stored": sum(m.listeners for m in matches),
            "reconnects_recorded": sum(m.reconnects for m in matches),
            "rejected_frames_recorded": sum(m.rejected_frames for m in matches),
            "duplicate_dispatches_refused_at_once": sum(m.duplicates_refused for m in matches),
            "viewer_messages": sum(m.viewer_messages for m in matches),
        },
        "problems": {check: figures.problems(check) for check in CHECKS},
        "timings": timings,
        "set_aside": figures.unattributed,
        "slowest_resumes": figures.slowest_resumes,
        "series": {
            name: sorted(round(v, 4) for v in values) for name, values in figures.timings.items()
        },
    }


def _seconds(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


def markdown(data: dict[str, Any], result: CampaignResult) -> str:
    run, integrity = data["run"], data["integrity"]
    kill_target = result.config.dispatch_interval + 2
    lines = [
        f"Run of {run['finished_at']} on {run['machine']}: {run['matches']} matches "
        f"({run['waves']} wave(s)) at pace {run['pace']:g}, {run['viewers']} viewers, "
        f"{run['wall_seconds']:.0f} s of wall time including setup.",
        "",
        "| fault | injected |",
        "| --- | ---: |",
        *[f"| {kind.replace('_', ' ')} | {count} |" for kind, count in data["faults"].items()],
        f"| **total** | **{data['faults_total']}** "
        f"({data['faults_per_match']['min']}–{data['faults_per_match']['max']} per match) |",
        "",
        "| integrity | figure |",
        "| --- | ---: |",
        *[f"| {name.replace('_', ' ')} | {value} |" for name, value in integrity.items()],
        *[
            f"| {check} problems | {len(problems)} |"
            for check, problems in data["problems"].items()
        ],
        "",
        "| timing (s) | n | p50 | p95 | p99 | max | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, t in data["timings"].items():
        target = TARGETS.get(name, "").format(
            watchdog=result.config.watchdog, kill_target=kill_target
        )
        lines.append(
            f"| {name.replace('_', ' ')} | {t['n']} | {_seconds(t['p50'])} | "
            f"{_seconds(t['p95'])} | {_seconds(t['p99'])} | {_seconds(t['max'])} | {target} |"
        )
    if data["set_aside"]:
        lines += ["", "Not timed as plain drops or stalls (counted under their own fault):"]
        lines += [f"- {name}: {count}" for name, count in data["set_aside"].items()]
    lines += ["", "Slowest resumes after a drop, with what happened in between:"]
    lines += [f"- {line}" for line in data["slowest_resumes"]]
    problems = [p for check in data["problems"].values() for p in check]
    if problems:
        lines += ["", f"Problems ({len(problems)}):", *[f"- {p}" for p in problems[:50]]]
    return "\n".join(lines) + "\n"


def write(artefacts: Path, data: dict[str, Any], text: str) -> Path:
    artefacts.mkdir(parents=True, exist_ok=True)
    (artefacts / "faults.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
    path = artefacts / "faults.md"
    path.write_text("# Fault suite: figures of the last run\n\n" + text)
    return path

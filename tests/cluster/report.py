"""The cluster harness's figures, as JSON and as Markdown for docs/reliability.md."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
from pathlib import Path
from typing import Any

from tests.cluster.harness import ClusterRun, HostFault, WebHostFault
from tests.cluster.viewers import HostNotingCrowd
from tests.faults.checks import Figures, percentile
from tests.faults.records import Recovery

CHECKS = ("log", "replay", "writers", "viewers")


def summary(run: ClusterRun, figures: Figures) -> dict[str, Any]:
    result, matches = run.result, figures.matches
    return {
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "matches": len(matches),
        "pace": result.config.pace,
        "dispatch_interval": result.config.dispatch_interval,
        "synchronous_commit": run.synchronous_commit,
        "wall_seconds": round(result.wall_seconds, 1),
        "packets_compared": sum(m.packets_expected for m in matches),
        "missing": sum(m.missing for m in matches),
        "duplicates": sum(m.duplicates for m in matches),
        "payload_mismatches": sum(m.payload_mismatches for m in matches),
        "listeners_that_stored": sum(m.listeners for m in matches),
        "problems": {check: figures.problems(check) for check in CHECKS},
        "faults": [_fault(fault) for fault in run.host_faults],
        "web_faults": [_web_fault(f, run.crowd) for f in run.web_faults],
        "postgres_failovers": [_followed_again(p) for p in run.postgres_failovers],
        "redis_failovers": [
            {"promoted_seconds": f.promoted, "tasks_again_seconds": f.tasks_again}
            for f in run.redis_failovers
        ],
    }


def _web_fault(fault: WebHostFault, crowd: HostNotingCrowd) -> dict[str, Any]:
    resumes = fault.resumes(crowd.connections)
    seconds = fault.resume_seconds(crowd.connections)
    resumed = sorted(s for s in seconds if s is not None)
    return {
        "kind": fault.kind,
        "host": fault.host,
        "lasted_seconds": fault.lasted,
        "viewers_cut_off": len(fault.cut_off),
        "steady_viewers_cut_off": sum(c.viewer.steady for c in fault.cut_off),
        "viewers_resumed": len(resumed),
        "resumed_on": sorted({later.host for later in resumes if later is not None}),
        "resume_seconds": resumed,
        "resume_p50": percentile(resumed, 0.5),
        "resume_max": max(resumed) if resumed else math.nan,
        "marked_down_seconds": fault.marked_down,
        "back_in_service_seconds": fault.back_in_service,
        # While the fault lasted (from the cut until HAProxy put the host back).
        "violations_of_viewers_cut_off": sorted(
            {
                f"viewer {c.viewer.number}: {v}"
                for c in fault.cut_off
                for v in crowd.violations_between(c.viewer, fault.at, fault.ended)
            }
        ),
    }


def _followed_again(recovery: Recovery) -> dict[str, Any]:
    again = sorted(t - recovery.at for t in recovery.followed_again.values())
    return {
        "fixtures_lost": len(recovery.lost),
        "fixtures_followed_again": len(again),
        "followed_again_seconds": again,
        "followed_again_p50": percentile(again, 0.5),
        "followed_again_max": max(again) if again else math.nan,
    }


def _fault(fault: HostFault) -> dict[str, Any]:
    again = sorted(t - fault.recovery.at for t in fault.recovery.followed_again.values())
    return {
        "kind": fault.kind,
        "host": fault.host,
        "lasted_seconds": fault.lasted,
        "fixtures_lost": len(fault.recovery.lost),
        "fixtures_followed_again": len(again),
        "followed_again_seconds": again,
        "followed_again_p50": percentile(again, 0.5),
        "followed_again_max": max(again) if again else math.nan,
        "back_to_work_seconds": fault.back_to_work,
        "state_writes_after_fault": [list(map(str, row)) for row in fault.state_writes_after],
    }


def _s(value: float | None) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.2f}"


def markdown(data: dict[str, Any]) -> str:
    lines = [
        f"Run of {data['run_at']} on {data['machine']}: {data['matches']} matches at pace "
        f"{data['pace']:g}, dispatcher tick {data['dispatch_interval']:g} s, packets committed "
        f"with synchronous_commit {data['synchronous_commit']} (a synchronous standby), "
        f"{data['wall_seconds']:.0f} s of wall time including setup.",
        "",
        "| web host fault | viewers cut off (steady) | resumed through HAProxy"
        " | on | resume p50 (s) | max (s) | HAProxy took it out after (s)"
        " | back in service after the heal (s) |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for web in data["web_faults"]:
        lines.append(
            f"| {web['kind']}, {web['host']} ({web['lasted_seconds']:g} s) | "
            f"{web['viewers_cut_off']} "
            f"({web['steady_viewers_cut_off']}) | {web['viewers_resumed']} | "
            f"{', '.join(web['resumed_on'])} | {_s(web['resume_p50'])} | {_s(web['resume_max'])} | "
            f"{_s(web['marked_down_seconds'])} | {_s(web['back_in_service_seconds'])} |"
        )
    lines += [
        "",
        "| fault | fixtures lost | followed again | p50 (s) | max (s)"
        " | host back at work after (s) | its state writes after the fault |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fault in data["faults"]:
        lines.append(
            f"| {fault['kind']} ({fault['lasted_seconds']:g} s) | {fault['fixtures_lost']} | "
            f"{fault['fixtures_followed_again']} | {_s(fault['followed_again_p50'])} | "
            f"{_s(fault['followed_again_max'])} | {_s(fault['back_to_work_seconds'])} | "
            f"{len(fault['state_writes_after_fault'])} |"
        )
    lines += [
        "",
        "| Redis master stopped | Sentinel promoted the replica after (s)"
        " | a worker handled a task sent after it, after (s) |",
        "| --- | ---: | ---: |",
    ]
    for failover in data["redis_failovers"]:
        promoted, again = failover["promoted_seconds"], failover["tasks_again_seconds"]
        lines.append(f"| once | {_s(promoted)} | {_s(again)} |")
    lines += [
        "",
        "| Postgres primary killed, replica promoted | fixtures lost | followed again"
        " | p50 (s) | max (s) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for promotion in data["postgres_failovers"]:
        lines.append(
            f"| once | {promotion['fixtures_lost']} | {promotion['fixtures_followed_again']} | "
            f"{_s(promotion['followed_again_p50'])} | {_s(promotion['followed_again_max'])} |"
        )
    lines += [
        "",
        "| integrity | figure |",
        "| --- | ---: |",
        f"| packets compared | {data['packets_compared']} |",
        f"| missing | {data['missing']} |",
        f"| duplicates | {data['duplicates']} |",
        f"| payload mismatches | {data['payload_mismatches']} |",
        f"| listeners that stored | {data['listeners_that_stored']} |",
    ]
    lines += [f"| {check} problems | {len(data['problems'][check])} |" for check in CHECKS]
    return "\n".join(lines) + "\n"


def write(artefacts: Path, data: dict[str, Any], text: str) -> Path:
    artefacts.mkdir(parents=True, exist_ok=True)
    (artefacts / "cluster.json").write_text(json.dumps(data, indent=2, default=str))
    path = artefacts / "cluster.md"
    path.write_text(text)
    return path

"""What every benchmark prints and needs: the machine, percentiles, a free loopback port."""

from __future__ import annotations

import math
import os
import platform
import socket
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().split()[1]
    return (
        f"{platform.node()}: {os.cpu_count()} cores, {cpu}, {int(memory) // 1024 // 1024} GiB, "
        f"Python {platform.python_version()}"
    )


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pcts(values: list[float]) -> str:
    """``p50 A, p95 B, p99 C, max D`` of ``values``, one decimal."""
    if not values:
        return "no samples"
    return (
        f"p50 {percentile(values, 50):.1f}, p95 {percentile(values, 95):.1f}, "
        f"p99 {percentile(values, 99):.1f}, max {max(values):.1f}"
    )

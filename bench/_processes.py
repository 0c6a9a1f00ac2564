"""The processes a benchmark starts and reads: waiting for their port, stopping them, and
their CPU and memory from /proc (what the figures are made of)."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import time
from pathlib import Path
from typing import Any


def wait_for_port(port: int, process: subprocess.Popen[Any], timeout: float) -> None:
    """Until loopback ``port`` takes a connection; fails at once if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args!r} exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def stop_process(process: subprocess.Popen[Any], timeout: float = 10) -> None:
    """SIGTERM, as a supervisor stops it; SIGKILL if it is still there after ``timeout``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def raise_nofile_limit() -> int:
    """Up to the hard limit; processes started from here inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sleep_until(moment: float) -> None:
    """Until wall-clock ``moment`` (the viewers' processes agree on wall-clock windows)."""
    time.sleep(max(0.0, moment - time.time()))


class CpuMeter:
    """CPU share (cores) of groups of processes over a window, from /proc/<pid>/stat."""

    def __init__(self, pids: dict[str, list[int]]) -> None:
        self.pids = pids
        self.started = time.monotonic()
        self.before = {pid: cpu_seconds(pid) for group in pids.values() for pid in group}

    def stop(self) -> dict[str, tuple[float, float, list[float]]]:
        """Per group: (cores, RSS MB summed, cores of each process)."""
        wall = time.monotonic() - self.started
        result = {}
        for name, group in self.pids.items():
            each = [(cpu_seconds(pid) - self.before[pid]) / wall for pid in group]
            result[name] = (sum(each), sum(rss_mb(pid) for pid in group), each)
        return result

"""Many websocket receivers of one URL (browser viewers, vendor clients) spread over
processes of a benchmark's own, driven by the same line protocol on stdin and stdout:

- a receiver process prints ``ready <connected> <failed>`` once each of its connections
  has what it waits for first;
- it then reads ``measure <start> <end>`` (Unix times) and times what arrives in that
  window;
- at the end it writes its figures as JSON to its ``--out`` file and prints ``done``.
"""

from __future__ import annotations

import json
import math
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Self

from _processes import stop_process

ROOT = Path(__file__).resolve().parents[1]


class ReceiverProcesses:
    """``count`` receivers over processes of at most ``per_process``, each running
    ``script`` with ``arguments(index, count_of_that_process)`` and its ``--out``."""

    def __init__(
        self,
        script: Path,
        arguments: Callable[[int, int], list[str]],
        count: int,
        per_process: int,
        logdir: Path,
        name: str,
    ) -> None:
        processes = max(1, math.ceil(count / per_process))
        counts = [count // processes + (i < count % processes) for i in range(processes)]
        self.kind = script.stem.lstrip("_")
        self.lines: queue.Queue[tuple[int, str]] = queue.Queue()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.outs: list[Path] = []
        self.logs: list[IO[bytes]] = []
        self.started = time.monotonic()
        try:
            for i, n in enumerate(counts):
                out = logdir / f"{name}-{i}.json"
                log = (logdir / f"{name}-{i}.log").open("wb")
                self.logs.append(log)
                command = [sys.executable, str(script), *arguments(i, n), "--out", str(out)]
                process = subprocess.Popen(
                    command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log
                )
                self.processes.append(process)
                self.outs.append(out)
                threading.Thread(target=self._read, args=(i, process), daemon=True).start()
        except BaseException:
            self.stop()
            raise

    def _read(self, index: int, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.put((index, line.decode().strip()))
        self.lines.put((index, "eof"))

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def _wait_all(self, word: str, timeout: float) -> dict[int, str]:
        deadline = time.monotonic() + timeout
        seen: dict[int, str] = {}
        while len(seen) < len(self.processes):
            try:
                index, line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(
                    f"{self.kind} processes: no {word!r} within {timeout:.0f} s"
                ) from None
            if line == "eof" and index not in seen:
                raise RuntimeError(f"{self.kind} process {index} ended early; see its log")
            if line.startswith(word):
                seen[index] = line
        return seen

    def wait_ready(self, timeout: float) -> tuple[int, int, float]:
        """(receivers connected, receivers that failed, seconds to get there)."""
        lines = self._wait_all("ready", timeout)
        ok = sum(int(line.split()[1]) for line in lines.values())
        failed = sum(int(line.split()[2]) for line in lines.values())
        return ok, failed, time.monotonic() - self.started

    def measure(self, start: float, end: float) -> None:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(f"measure {start:.6f} {end:.6f}\n".encode())
            process.stdin.flush()

    def results(self, timeout: float) -> list[dict[str, Any]]:
        self._wait_all("done", timeout)
        return [json.loads(out.read_text()) for out in self.outs]

    def stop(self) -> None:
        for process in self.processes:
            stop_process(process)
        for log in self.logs:
            log.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

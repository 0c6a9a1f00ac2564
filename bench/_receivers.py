"""Many websocket receivers of one URL (browser viewers, vendor clients) spread over
processes of a benchmark's own, driven by the same line protocol on stdin and stdout:

- a receiver process prints ``ready <connected> <failed>`` once each of its connections
  has what it waits for first;
- it then reads ``measure <start> <end>`` (Unix times) and times what arrives in that
  window;
- at the end it writes its figures as JSON to its ``--out`` file and prints ``done``.

``ReceiverProcesses`` is the benchmark's side; ``receiver_parser``, ``measure_window`` and
``close_all`` are the receiver process's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, Self

from _processes import stop_process
from websockets.asyncio.client import ClientConnection

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


# --- the receiver process's side ------------------------------------------------------------


def receiver_parser(description: str | None) -> argparse.ArgumentParser:
    """The options every receiver process takes; a script adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=50, help="handshakes at once")
    parser.add_argument("--ready-timeout", type=float, default=180)
    parser.add_argument("--wait-timeout", type=float, default=600, help="for `measure`")
    parser.add_argument("--grace", type=float, default=3.0, help="seconds after the window")
    parser.add_argument("--out", required=True)
    return parser


async def wait_until_ready(ready: asyncio.Event, timeout: float) -> float:
    """Until every connection has settled (or ``timeout``): the seconds it took."""
    started = time.monotonic()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ready.wait(), timeout)
    return time.monotonic() - started


async def measure_window(
    wait_timeout: float, grace: float, begin: Callable[[float, float], None]
) -> None:
    """Reads ``measure <start> <end>`` from stdin, hands the window to ``begin`` and returns
    ``grace`` seconds after its end (what was sent just before the end is still on its way);
    at once if no such line comes within ``wait_timeout``."""
    lines: asyncio.Queue[str] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def read() -> None:  # a daemon thread: a blocked read never keeps the process alive
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, "")

    threading.Thread(target=read, daemon=True).start()
    try:
        line = await asyncio.wait_for(lines.get(), wait_timeout)
    except TimeoutError:
        return
    parts = line.split()
    if len(parts) == 3 and parts[0] == "measure":
        start, end = float(parts[1]), float(parts[2])
        begin(start, end)
        await asyncio.sleep(max(0.0, end - time.time()) + grace)


async def close_all(
    connections: Iterable[ClientConnection | None], tasks: Iterable[asyncio.Task[Any]]
) -> int:
    """Close the connections still open, then end the tasks: how many were open."""
    open_now = [ws for ws in connections if ws is not None and ws.close_code is None]
    closing = [asyncio.create_task(ws.close()) for ws in open_now]
    if closing:
        await asyncio.wait(closing, timeout=20)
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return len(open_now)


def write_figures(path: str, figures: dict[str, Any]) -> None:
    with open(path, "w") as out:
        json.dump(figures, out)
    print("done", flush=True)

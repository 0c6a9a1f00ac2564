"""The simulator for bench/relay.py, in a process of its own: one scheduled live match.

``--kickoff`` is a Unix time, ``--pace`` as for the simulator. It serves until SIGTERM or
SIGINT. For the live run it is the listener's upstream; for the floor it serves the same
vendor clients the relay serves, straight from memory. Needs no Django.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import resource
import signal
import uuid

from streams.simulator import Schedule, Simulator


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fixture", type=uuid.UUID, required=True)
    parser.add_argument("--kickoff", type=float, required=True)
    parser.add_argument("--pace", type=float, required=True)
    parser.add_argument("--token", required=True)
    options = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    logging.basicConfig(level=logging.WARNING)
    schedule = Schedule()
    schedule.add(options.fixture, kickoff=dt.datetime.fromtimestamp(options.kickoff, dt.UTC))
    simulator = Simulator(schedule=schedule, token=options.token, pace=options.pace)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with simulator.serve("127.0.0.1", options.port):
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())

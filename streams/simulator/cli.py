"""Options and the serve-forever loop behind ``manage.py dde_simulator`` and
``python -m streams.simulator``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from streams.simulator.faults import GRAMMAR, FaultSpec
from streams.simulator.numbering import DEFAULT_NUMBERING, Numbering, NumberingError, parse_type_ids
from streams.simulator.schedule import Schedule
from streams.simulator.server import DEMO_TOKEN, Simulator, utcnow
from streams.simulator.variant import MatchVariant

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port for websocket and REST")
    parser.add_argument("--token", default=DEMO_TOKEN, help="the token clients must send")
    parser.add_argument(
        "--pace",
        type=float,
        default=1.0,
        help="how many times faster than real time live matches play",
    )
    parser.add_argument("--heartbeat", type=float, default=10.0, help="seconds between heartbeats")
    parser.add_argument("--faults", default="", help=f"comma-separated faults: {GRAMMAR}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="schedule three demo fixtures (live soon, later, finished)",
    )
    parser.add_argument(
        "--type-ids",
        type=_type_ids,
        default=DEFAULT_NUMBERING,
        metavar="default|shifted|PATH.json",
        help="numbering of the action type ids this project chose: as in docs/action-types.md "
        "(default), each +1000 with its sub-types (shifted), or a JSON file of old id to new id",
    )
    parser.add_argument(
        "--invent-types",
        type=_count,
        default=0,
        metavar="N",
        help="also send, a few times a match, actions of N types nobody has seen "
        "(ids from 90000, new names)",
    )
    parser.add_argument(
        "--hostile",
        action="store_true",
        help="a hostile vendor: 200,000-character names, markup, formulas, NUL and bidi "
        "controls in names, metadata and the fixture list; refusals that echo the token",
    )


def _type_ids(value: str) -> Numbering:
    try:
        return parse_type_ids(value)
    except NumberingError as exc:
        # argparse shows only this exception's message, not a ValueError's.
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}")
    return int(value)


def variant_from_options(options: dict[str, Any]) -> MatchVariant:
    """The match variant of parsed options (or of strings, as ``call_command`` passes them);
    raises ValueError with one sentence on a bad numbering or count."""
    numbering = options.get("type_ids") or DEFAULT_NUMBERING
    if isinstance(numbering, str):
        numbering = parse_type_ids(numbering)
    hostile = bool(options.get("hostile"))
    return MatchVariant(numbering, int(options.get("invent_types") or 0), hostile)


def build(options: dict[str, Any]) -> Simulator:
    """A simulator from parsed options; raises ValueError on a bad fault spec, numbering
    or number."""
    schedule = Schedule(variant_from_options(options))
    if options.get("demo"):
        schedule.demo(utcnow())
    return Simulator(
        schedule=schedule,
        token=str(options.get("token") or DEMO_TOKEN),
        pace=float(options.get("pace") or 1.0),
        heartbeat=float(options.get("heartbeat") or 10.0),
        faults=FaultSpec.parse(str(options.get("faults") or "")),
    )


async def _serve_until_signalled(simulator: Simulator, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with simulator.serve(host, port) as serving:
        # Never the token: this line ends up in log files.
        logger.info(
            "DDE simulator serving %s/soccer/fixtures/{id}/actions and REST on %s "
            "(pace %g, heartbeat %gs, faults %s, %s, %d scheduled fixtures)",
            serving.ws_url,
            serving.http_url,
            simulator.pace,
            simulator.heartbeat,
            simulator.faults,
            simulator.schedule.variant,
            len(simulator.schedule.scheduled()),
        )
        await stop.wait()
    logger.info("DDE simulator stopped")


def run_from_options(options: dict[str, Any]) -> None:
    """Serve until SIGINT or SIGTERM."""
    run(build(options), options)


def run(simulator: Simulator, options: dict[str, Any]) -> None:
    """Serve ``simulator`` on the options' host and port until SIGINT or SIGTERM."""
    host = str(options.get("host") or "127.0.0.1")
    port = options.get("port")
    port = 8765 if port is None else int(port)
    asyncio.run(_serve_until_signalled(simulator, host, port))

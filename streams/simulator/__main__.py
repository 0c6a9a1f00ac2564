"""``python -m streams.simulator [options]``: the simulator without Django (same options)."""

from __future__ import annotations

import argparse
import logging

from streams.simulator import cli


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m streams.simulator",
        description="Serve a simulated IMG Arena DDE Live Actions feed and its REST twins.",
    )
    cli.add_arguments(parser)
    options = vars(parser.parse_args())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        simulator = cli.build(options)
    except ValueError as exc:  # a bad --faults spec: one sentence, not a traceback
        parser.error(str(exc))
    cli.run(simulator, options)


if __name__ == "__main__":
    main()

"""``manage.py dde_relay``: serve the stored feed in the vendor's protocol (docs/relay.md)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from streams.relay.server import RelayOptions, run


class Command(BaseCommand):
    help = "Serve every fixture's stored packets, live, on the DDE Live Actions paths."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8766, help="port for websocket and REST")
        parser.add_argument(
            "--heartbeat", type=float, default=10.0, help="seconds between heartbeats"
        )
        parser.add_argument(
            "--poll",
            type=float,
            default=2.0,
            help="seconds between reads of a followed fixture without a change event",
        )
        parser.add_argument(
            "--max-clients", type=int, default=5000, help="connections at once; more get 503"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            relay_options = RelayOptions(
                heartbeat_seconds=options["heartbeat"],
                poll_seconds=options["poll"],
                max_clients=options["max_clients"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        run(options["host"], options["port"], relay_options)

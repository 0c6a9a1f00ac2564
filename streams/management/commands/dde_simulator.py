"""``manage.py dde_simulator``: serve the built-in DDE simulator (websocket + REST twins)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from streams.simulator import cli


class Command(BaseCommand):
    help = "Serve a simulated IMG Arena DDE Live Actions feed and its REST twins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        cli.run_from_options(options)

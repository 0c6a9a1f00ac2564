"""``manage.py health [PART ...]``: what /healthz reports, for container health checks."""

import json
from argparse import ArgumentParser
from typing import Any

from asgiref.sync import async_to_sync
from django.core.management.base import BaseCommand, CommandError

from streams.ops import health


class Command(BaseCommand):
    help = "Print the health report as JSON; fail when a part (or any, by default) is failing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("parts", nargs="*", metavar="PART", help=", ".join(health.PARTS))

    def handle(self, *args: Any, parts: list[str], **options: Any) -> None:
        unknown = sorted(set(parts) - set(health.PARTS))
        if unknown:
            known = ", ".join(health.PARTS)
            raise CommandError(f"No part named {', '.join(unknown)}; the parts are {known}.")
        report = async_to_sync(health.report)()
        self.stdout.write(json.dumps(report, indent=2))
        failing = [name for name in report["failing"] if not parts or name in parts]
        if failing:
            raise CommandError(f"Failing: {', '.join(failing)}.")

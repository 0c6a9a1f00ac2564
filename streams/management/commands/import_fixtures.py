"""``manage.py import_fixtures``: pull the fixtures the DDE API lists into the database."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from streams.dde.rest import DdeApiError
from streams.feed import importing


class Command(BaseCommand):
    help = "Import fixtures from DDE_API_URL."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = importing.import_fixtures()
        except DdeApiError as exc:
            raise CommandError(f"The DDE API refused the request: {exc}") from exc
        for fixture in result.fixtures:
            self.stdout.write(f"{fixture.id}  {fixture.kickoff:%Y-%m-%d %H:%M}  {fixture}")
        for reason in result.skipped:
            self.stderr.write(f"Skipped: {reason}")
        skipped = f", {len(result.skipped)} skipped" if result.skipped else ""
        self.stdout.write(f"{len(result.fixtures)} fixtures imported{skipped}.")

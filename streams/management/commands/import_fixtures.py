"""``manage.py import_fixtures``: pull the fixtures the DDE API lists into the database."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from streams import importing
from streams.dde.rest import DdeApiError


class Command(BaseCommand):
    help = "Import fixtures from DDE_API_URL."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            fixtures = importing.import_fixtures()
        except DdeApiError as exc:
            raise CommandError(f"The DDE API refused the request: {exc}") from exc
        for fixture in fixtures:
            self.stdout.write(f"{fixture.id}  {fixture.kickoff:%Y-%m-%d %H:%M}  {fixture}")
        self.stdout.write(f"{len(fixtures)} fixtures imported.")

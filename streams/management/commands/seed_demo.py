"""``manage.py seed_demo``: import the simulator's demo fixtures and open their listen windows."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from streams.dde.rest import DdeApiError
from streams.feed import importing
from streams.models import Speed


class Command(BaseCommand):
    help = "Import demo fixtures from the DDE API and schedule them for listening."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            fixtures = importing.import_fixtures().fixtures
        except DdeApiError as exc:
            raise CommandError(f"The DDE API refused the request: {exc}") from exc
        now = timezone.now()
        for fixture in fixtures:
            # Already-played matches are replayed at once; the others open before kick-off.
            fixture.listen_from = min(now, fixture.kickoff - dt.timedelta(minutes=2))
            fixture.listen_until = max(fixture.kickoff, now) + dt.timedelta(hours=4)
            fixture.speed = Speed.FAST
            fixture.save(update_fields=["listen_from", "listen_until", "speed"])
            self.stdout.write(f"  {fixture.kickoff:%H:%M:%S} UTC  {fixture}")
        self.stdout.write(f"{len(fixtures)} demo fixtures scheduled.")

"""``manage.py listen FIXTURE_ID``: follow one fixture in the foreground, without Celery."""

import uuid
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from streams.dde.rest import DdeApiError
from streams.feed import importing, listener
from streams.models import Fixture, Speed


class Command(BaseCommand):
    help = "Follow one fixture's live actions until the match is finished."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("fixture_id", type=uuid.UUID, help="DDE fixture id (a UUID)")
        parser.add_argument(
            "--speed", choices=Speed.values, help="replay speed (default: the fixture's)"
        )

    def handle(self, *args: Any, fixture_id: uuid.UUID, speed: str | None, **options: Any) -> None:
        if not Fixture.objects.filter(pk=fixture_id).exists():
            try:
                fixture = importing.import_fixture(fixture_id)
            except (DdeApiError, importing.FixtureNotSaved) as exc:
                # The error's text has no token in it: DdeApi took it out (streams/dde/secrecy.py).
                raise CommandError(f"Fixture {fixture_id} could not be imported: {exc}") from exc
            self.stdout.write(f"Imported {fixture} from the DDE API.")
        outcome = listener.follow(fixture_id, speed=speed, until_finished=True)
        fixture = Fixture.objects.get(pk=fixture_id)
        self.stdout.write(
            f"{fixture}: {outcome.value}; {fixture.packet_count} packets stored, "
            f"score {fixture.home_score}-{fixture.away_score}."
        )
        if outcome in (listener.Outcome.FAILED, listener.Outcome.LEASE_LOST):
            raise CommandError(fixture.listener_error or outcome.value)

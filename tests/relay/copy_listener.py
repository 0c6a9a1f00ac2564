"""A second installation's listener, as a process of its own: ``python -m
tests.relay.copy_listener FIXTURE_ID [--speed fast|normal]``.

Its database (DATABASE_URL), channel-layer prefix and DDE settings come from the
environment, as a downstream installation's would: DDE_STREAMS_URL is the relay's base URL
and DDE_AUTH_TOKEN a token of ours with the stream scope. It adds the fixture to its own
database, then runs the product's `manage.py listen`, unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import uuid

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("fixture_id", type=uuid.UUID)
    parser.add_argument("--speed", choices=("fast", "normal"))
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from streams.models import Fixture

    now = timezone.now()
    Fixture.objects.get_or_create(
        id=options.fixture_id,
        defaults={
            "home_team": "Home",
            "away_team": "Away",
            "kickoff": now,
            "listen_from": now - dt.timedelta(minutes=1),
            "listen_until": now + dt.timedelta(hours=4),
        },
    )
    speed = ["--speed", options.speed] if options.speed else []
    call_command("listen", str(options.fixture_id), *speed)


if __name__ == "__main__":
    main()

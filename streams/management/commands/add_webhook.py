"""``manage.py add_webhook URL --secret S [--fixture ID]... [--event KIND]...``: register a
webhook endpoint (docs/api.md "Webhooks")."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator

from streams.models import Fixture
from streams.webhooks.models import EventKind, WebhookEndpoint


class Command(BaseCommand):
    help = (
        "Register a webhook endpoint. Events: goal, card, correction, status_change, "
        "match_finished, all (every packet); all when none given. No --fixture: every "
        "fixture that stores packets from now on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="Where deliveries are POSTed.")
        parser.add_argument("--secret", required=True, help="The HMAC-SHA256 signing key.")
        parser.add_argument("--fixture", action="append", default=[], help="A fixture id.")
        parser.add_argument("--event", action="append", choices=EventKind.values, default=[])
        parser.add_argument("--description", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            URLValidator(schemes=["http", "https"])(options["url"])
        except ValidationError as exc:
            raise CommandError(f"Not an http(s) URL: {options['url']!r}") from exc
        if len(options["secret"]) < 16:
            raise CommandError("Give a secret of at least 16 characters.")
        try:
            ids = [uuid.UUID(value) for value in options["fixture"]]
        except ValueError as exc:
            raise CommandError("A fixture id is a UUID.") from exc
        fixtures = list(Fixture.objects.filter(id__in=ids))
        missing = set(ids) - {f.id for f in fixtures}
        if missing:
            raise CommandError(f"No such fixture: {', '.join(sorted(map(str, missing)))}")
        endpoint = WebhookEndpoint.objects.create(
            url=options["url"],
            secret=options["secret"],
            description=options["description"],
            events=sorted(set(options["event"])) or [EventKind.ALL.value],
        )
        endpoint.fixtures.set(fixtures)
        where = f"{len(fixtures)} fixture(s)" if fixtures else "every new fixture"
        # Never the secret: this line may end up in a shell history or a log.
        self.stdout.write(
            f"Webhook endpoint {endpoint.pk}: {', '.join(endpoint.events)} for {where}."
        )

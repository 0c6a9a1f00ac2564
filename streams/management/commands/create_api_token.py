"""``manage.py create_api_token NAME [--scope read|stream]...``: make an API token and print
its key once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from streams.models import ApiToken, Scope


class Command(BaseCommand):
    help = (
        "Create an API token (scope read by default: the REST API; stream: the relay); "
        "the key is printed once and stored only hashed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who or what will use the token.")
        parser.add_argument(
            "--scope",
            action="append",
            choices=Scope.values,
            help="read (the REST API, the default) or stream (the relay); may be repeated.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name or len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
            raise CommandError("Give the token a name of 1 to 100 characters.")
        scopes = [Scope(value) for value in options["scope"] or [Scope.READ]]
        token, key = ApiToken.issue(name, scopes)
        given = ", ".join(token.scopes)
        self.stderr.write(f"Created API token {token} ({given}). Its key, shown only now:")
        self.stdout.write(key)

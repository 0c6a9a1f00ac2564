"""``manage.py create_api_token NAME``: make a read-only API token and print its key once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from streams.models import ApiToken


class Command(BaseCommand):
    help = "Create a read-only REST API token; the key is printed once and stored only hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who or what will use the token.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name or len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
            raise CommandError("Give the token a name of 1 to 100 characters.")
        token, key = ApiToken.issue(name)
        self.stderr.write(f"Created API token {token}. Its key, shown only now:")
        self.stdout.write(key)

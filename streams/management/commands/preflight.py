"""``manage.py preflight``: check that Postgres and Redis answer; optionally create the database."""

from argparse import ArgumentParser
from typing import Any

import psycopg
import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

from streams.conninfo import database_conninfo
from streams.redis_client import redis_client

START_HINT = "start it (for example: docker compose -f docker/compose.yaml up -d postgres redis)"


class Command(BaseCommand):
    help = "Check that Postgres and Redis can be reached, and create the database if missing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--create-database", action="store_true")

    def handle(self, *args: Any, create_database: bool, **options: Any) -> None:
        db = settings.DATABASES["default"]
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
        maintenance = database_conninfo("postgres", connect_timeout=3)
        try:
            with psycopg.connect(maintenance, autocommit=True) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
                ).fetchone()
                if create_database and not exists:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                    self.stdout.write(f"Created database {db['NAME']}.")
        except psycopg.OperationalError:
            raise CommandError(
                f"Postgres is not reachable at {where} (DATABASE_URL); {START_HINT}."
            ) from None
        try:
            redis_client(socket_connect_timeout=3).ping()
        except redis.RedisError:
            raise CommandError(
                f"Redis is not reachable at {settings.REDIS_URL} (REDIS_URL); {START_HINT}."
            ) from None

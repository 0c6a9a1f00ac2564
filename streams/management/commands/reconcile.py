"""``manage.py reconcile FIXTURE_ID``: compare the stored log with the vendor's list.

Exits 0 when they are equal, 1 otherwise, printing what differs by position.
"""

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from streams.models import Fixture, ReconciliationStatus
from streams.reconcile.service import reconcile


class Command(BaseCommand):
    help = "Compare a fixture's stored log with the vendor's post-match actions list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fixture_id", type=uuid.UUID)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            row, result = reconcile(options["fixture_id"], trigger="command")
        except Fixture.DoesNotExist:
            raise CommandError(f"No fixture {options['fixture_id']}.") from None
        if result is None:
            raise CommandError(f"The vendor's list could not be fetched: {row.error}")
        for line in result.lines():
            self.stdout.write(line)
        counts = f"{result.stored_count} stored, {result.vendor_count} listed by the vendor"
        if row.status == ReconciliationStatus.EQUAL:
            self.stdout.write(f"Equal: {counts}.")
            return
        self.stdout.write(f"{row.get_status_display()}: {counts}.")
        raise SystemExit(1)

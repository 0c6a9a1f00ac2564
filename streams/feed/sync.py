"""The fixture sync: the vendor's Fixtures API, read on a schedule (docs/dde-protocol.md §11.1).

Beat runs ``sync_fixtures("near")`` every ``FIXTURE_SYNC_NEAR_SECONDS`` (a minute) for the
days that hold the next ``FIXTURE_SYNC_NEAR_HOURS`` (and the one before, for a kick-off
moved earlier or a match still on), and ``sync_fixtures("far")`` every
``FIXTURE_SYNC_FAR_SECONDS`` (an hour) up to ``FIXTURE_SYNC_FAR_DAYS`` ahead. Each reads
every page (``paged: true``, ``FIXTURE_SYNC_PAGE_SIZE`` a page) with
``includeDeleted=true``, so new fixtures, moved kick-offs, postponed, cancelled and
abandoned matches, coverage levels and team names all arrive; a fixture the vendor
deleted is marked ``vendor_deleted`` (its stored data is kept, and no listener starts).
Every request goes through the cluster's rate limit (``streams.feed.ratelimit``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import structlog
from django.conf import settings
from django.utils import timezone

from streams.dde.rest import DdeApi
from streams.feed import importing
from streams.models import Fixture

log = structlog.get_logger(__name__)

Reach = Literal["near", "far"]


@dataclass(frozen=True)
class SyncResult:
    reach: Reach
    date_from: dt.date
    date_to: dt.date
    saved: int
    deleted: int
    skipped: int


def date_range(reach: Reach, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The days (UTC, both included) one sync of ``reach`` asks the vendor for."""
    now = now.astimezone(dt.UTC)
    near = dt.timedelta(hours=settings.FIXTURE_SYNC_NEAR_HOURS)
    if reach == "near":
        return (now - dt.timedelta(days=1)).date(), (now + near).date()
    return now.date(), (now + dt.timedelta(days=settings.FIXTURE_SYNC_FAR_DAYS)).date()


def sync_fixtures(
    reach: Reach = "near", client: DdeApi | None = None, now: dt.datetime | None = None
) -> SyncResult:
    """One sync; raises ``DdeApiError`` when the vendor cannot be read (beat tries again)."""
    now = now or timezone.now()
    client = client or importing.api()
    date_from, date_to = date_range(reach, now)
    listed = client.fixtures_between(
        date_from,
        date_to,
        include_deleted=True,
        page_size=settings.FIXTURE_SYNC_PAGE_SIZE,
    )
    result = importing.save_listed(listed, client)
    # One column, in one UPDATE: nothing a listener writes is touched.
    Fixture.objects.filter(pk__in=[f.pk for f in result.fixtures]).update(synced_at=now)
    synced = SyncResult(
        reach=reach,
        date_from=date_from,
        date_to=date_to,
        saved=len(result.fixtures),
        deleted=sum(1 for fixture in result.fixtures if fixture.vendor_deleted),
        skipped=len(result.skipped),
    )
    log.info(
        "fixture.sync",
        reach=reach,
        date_from=date_from.isoformat(),
        date_to=date_to.isoformat(),
        saved=synced.saved,
        deleted=synced.deleted,
        skipped=synced.skipped,
    )
    return synced

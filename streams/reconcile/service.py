"""Reconcile a fixture with the vendor and store the result; append what the log lacks."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from streams.dde.rest import DdeApi, DdeApiError
from streams.feed import importing
from streams.feed.locks import followed_keys, lock_key
from streams.feed.rules import fixture_fields
from streams.feed.writer import store_packets
from streams.models import (
    Fixture,
    LogRepair,
    Packet,
    Reconciliation,
    ReconciliationStatus,
)
from streams.reconcile.compare import Comparison, StoredRow, compare, parse_vendor

log = structlog.get_logger(__name__)


class NothingToRepair(Exception):
    pass


def stored_rows(fixture_id: uuid.UUID) -> list[StoredRow]:
    rows = Packet.objects.filter(fixture_id=fixture_id).order_by("position")
    return [
        StoredRow(position, str(action_id), seq, raw, payload)
        for position, action_id, seq, raw, payload in rows.values_list(
            "position", "action_id", "fixture_seq_num", "raw", "payload"
        ).iterator()
    ]


def reconcile(
    fixture_id: uuid.UUID, *, trigger: str, api: DdeApi | None = None
) -> tuple[Reconciliation, Comparison | None]:
    """Fetch the vendor's list, compare, store the result (an error is stored too)."""
    fixture = Fixture.objects.get(pk=fixture_id)
    now = timezone.now()
    try:
        vendor = (api or importing.api()).actions(str(fixture.pk))
    except DdeApiError as exc:
        log.warning("reconcile.fetch_failed", fixture=str(fixture.pk), error=str(exc))
        row = Reconciliation.objects.create(
            fixture=fixture,
            checked_at=now,
            trigger=trigger,
            status=ReconciliationStatus.ERROR,
            stored_count=fixture.packet_count,
            error=str(exc),
        )
        return row, None
    appended = frozenset(
        item["position"]
        for appended_list in LogRepair.objects.filter(fixture=fixture).values_list(
            "appended", flat=True
        )
        for item in appended_list
    )
    result = compare(stored_rows(fixture.pk), vendor, appended)
    row = Reconciliation.objects.create(
        fixture=fixture,
        checked_at=now,
        trigger=trigger,
        status=_status(result),
        stored_count=result.stored_count,
        vendor_count=result.vendor_count,
        missing=result.missing,
        extra=result.extra,
        different=result.different,
        out_of_order=result.out_of_order,
        unusable=result.unusable,
    )
    log.info(
        "reconcile.checked",
        fixture=str(fixture.pk),
        status=row.status,
        missing=len(result.missing),
        extra=len(result.extra),
        different=len(result.different),
        out_of_order=len(result.out_of_order),
    )
    return row, result


def _status(result: Comparison) -> str:
    if result.exact:
        return ReconciliationStatus.EQUAL
    if result.repaired:
        return ReconciliationStatus.REPAIRED
    return ReconciliationStatus.MISMATCH


def latest(fixture_id: uuid.UUID) -> Reconciliation | None:
    return Reconciliation.objects.filter(fixture_id=fixture_id).first()


def latest_per_fixture() -> QuerySet[Reconciliation]:
    """Each reconciled fixture's latest check (Postgres DISTINCT ON)."""
    return Reconciliation.objects.order_by("fixture_id", "-checked_at", "-id").distinct(
        "fixture_id"
    )


def status_counts() -> dict[str, int]:
    """How many fixtures' latest check has each status (every status named, 0 if none)."""
    counts = dict.fromkeys(ReconciliationStatus.values, 0)
    latest_rows = Reconciliation.objects.filter(pk__in=latest_per_fixture().values("pk"))
    for status, count in latest_rows.order_by().values_list("status").annotate(n=Count("pk")):
        counts[status] = count
    return counts


# /healthz names at most this many mismatched fixtures (the newest), and counts them all.
MISMATCHES_NAMED = 20


def mismatches() -> dict[str, Any]:
    """Fixtures whose latest check found a difference, for /healthz."""
    latest_ids = latest_per_fixture().values("pk")
    found = Reconciliation.objects.filter(
        pk__in=latest_ids, status=ReconciliationStatus.MISMATCH
    ).order_by("-checked_at", "-id")
    rows = list(found[:MISMATCHES_NAMED])
    return {
        "count": found.count() if len(rows) == MISMATCHES_NAMED else len(rows),
        "mismatched": [
            {
                "fixture": str(r.fixture_id),
                "checked_at": r.checked_at.isoformat(),
                "missing": len(r.missing),
                "extra": len(r.extra),
                "different": len(r.different),
                "out_of_order": len(r.out_of_order),
            }
            for r in rows
        ],
    }


def append_missing(
    fixture_id: uuid.UUID, *, user: Any, api: DdeApi | None = None
) -> tuple[LogRepair, Reconciliation]:
    """Append the packets the vendor lists and the log lacks, in the vendor's order, at the
    next positions; record who and when. Reconciles first (the list is fetched afresh, so
    the repair appends what is missing now) and again after.

    Nothing stored changes. The fixture's summary is the one of the vendor's latest packet
    the log holds, as before the repair: an appended packet from mid-match must not turn
    the final score back.
    """
    if lock_key(fixture_id) in followed_keys():
        raise NothingToRepair("a listener follows it now: repair once it has stopped")
    before, result = reconcile(fixture_id, trigger="repair", api=api)
    if result is None:
        raise NothingToRepair(f"the vendor's list could not be fetched: {before.error}")
    if not result.missing:
        raise NothingToRepair("the log lacks nothing the vendor lists")
    vendor = (api or importing.api()).actions(str(fixture_id))
    by_key: dict[tuple[str, int | None], tuple[int, dict[str, Any]]] = {}
    for index, element in enumerate(vendor):
        try:
            by_key.setdefault(parse_vendor(element).key, (index, element))
        except Exception:
            continue
    wanted = [by_key[(m["action_id"], m["fixture_seq_num"])] for m in result.missing]
    packets = [parse_vendor(element) for _, element in wanted]
    user_name = getattr(user, "get_username", lambda: str(user))()
    with transaction.atomic():
        fixture = Fixture.objects.select_for_update().get(pk=fixture_id)
        stored = store_packets(fixture_id, packets).stored
        # The summary of the vendor's last packet, whether it was stored before or now.
        last_index = max(
            (index for index in _listed_indices(fixture_id, vendor, by_key)), default=None
        )
        if last_index is not None:
            Fixture.objects.filter(pk=fixture.pk).update(
                **fixture_fields(parse_vendor(vendor[last_index]))
            )
        repair = LogRepair.objects.create(
            fixture=fixture,
            reconciliation=before,
            done_by=user if getattr(user, "pk", None) else None,
            done_by_name=user_name,
            done_at=timezone.now(),
            appended=[
                {
                    "position": s.position,
                    "vendor_position": index,
                    "action_id": s.packet.action.action_id,
                    "fixture_seq_num": s.packet.action.fixture_seq_num,
                }
                for s, (index, _) in zip(stored, wanted, strict=False)
            ],
        )
    log.info("reconcile.repaired", fixture=str(fixture_id), by=user_name, appended=len(stored))
    after, _ = reconcile(fixture_id, trigger="repair", api=api)
    return repair, after


def _listed_indices(
    fixture_id: uuid.UUID,
    vendor: list[dict[str, Any]],
    by_key: dict[tuple[str, int | None], tuple[int, dict[str, Any]]],
) -> list[int]:
    keys = Packet.objects.filter(fixture_id=fixture_id).values_list("action_id", "fixture_seq_num")
    return [by_key[(str(a), s)][0] for a, s in keys if (str(a), s) in by_key]

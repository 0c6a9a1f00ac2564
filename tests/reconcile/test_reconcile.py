"""``manage.py reconcile`` against a live simulator, the repair, and where results show."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from streams import tasks
from streams.conninfo import database_conninfo
from streams.feed.listener import Outcome, follow
from streams.feed.locks import ProcessLocks
from streams.models import ApiToken, Fixture, LogRepair, Packet, Reconciliation
from streams.ops import health
from streams.reconcile import service
from tests.conftest import StartFeed

pytestmark = pytest.mark.django_db(transaction=True)

UNSENT = 20


def run_reconcile(fixture_id: uuid.UUID) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("reconcile", str(fixture_id), stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def followed_match(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture], faults: str = ""
) -> Fixture:
    start_feed(faults=faults)
    fixture = make_fixture()
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED
    fixture.refresh_from_db()
    return fixture


def test_a_log_equal_to_the_vendors_list_exits_0(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = followed_match(start_feed, make_fixture)
    code, out = run_reconcile(fixture.id)
    assert code == 0, out
    assert out.strip().splitlines()[-1].startswith("Equal:")
    row = Reconciliation.objects.get(fixture=fixture)
    assert (row.status, row.trigger) == ("equal", "command")
    assert row.stored_count == row.vendor_count == fixture.packet_count


def test_a_packet_the_websocket_never_sent_exits_1_naming_its_position(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture], admin_client: Client
) -> None:
    fixture = followed_match(start_feed, make_fixture, faults=f"unsent={UNSENT}")
    stored_before = fixture.packet_count
    final_score = (fixture.home_score, fixture.away_score)
    code, out = run_reconcile(fixture.id)
    assert code == 1
    lines = out.strip().splitlines()
    assert len([line for line in lines if line.startswith("missing:")]) == 1
    assert lines[0].startswith(f"missing: vendor position {UNSENT} ")
    assert lines[-1].startswith("Mismatch:")
    row = Reconciliation.objects.get(fixture=fixture)
    assert row.status == "mismatch"
    assert [m["vendor_position"] for m in row.missing] == [UNSENT]

    # Shown in the API payload and named by /healthz.
    _, key = ApiToken.issue("tests")
    detail = Client().get(f"/api/fixtures/{fixture.id}/", headers={"Authorization": f"Token {key}"})
    assert detail.status_code == 200
    assert detail.json()["reconciliation"]["missing"] == [UNSENT]
    assert detail.json()["reconciliation"]["status"] == "mismatch"
    named = health.check_reconciliation()
    assert named["ok"] is False
    assert [m["fixture"] for m in named["mismatched"]] == [str(fixture.id)]

    # The staff repair appends the packet at the next position, recorded with who and when.
    changelist = reverse("admin:streams_fixture_changelist")
    response = admin_client.post(
        changelist, {"action": "append_missing", "_selected_action": [str(fixture.id)]}
    )
    assert response.status_code == 302
    repair = LogRepair.objects.get(fixture=fixture)
    admin = User.objects.get(username="admin")
    assert (repair.done_by, repair.done_by_name) == (admin, "admin")
    assert [(a["position"], a["vendor_position"]) for a in repair.appended] == [
        (stored_before, UNSENT)
    ]
    assert Packet.objects.filter(fixture=fixture).count() == stored_before + 1
    fixture.refresh_from_db()
    assert (fixture.home_score, fixture.away_score) == final_score  # not turned back
    latest = Reconciliation.objects.filter(fixture=fixture).first()
    assert latest is not None and latest.status == "repaired"
    # Still exit 1: the log is not in the vendor's order, and says why.
    code, out = run_reconcile(fixture.id)
    assert code == 1
    assert "appended by a repair" in out


def test_staff_without_the_repair_permission_are_not_offered_it(
    make_fixture: Callable[..., Fixture], client: Client
) -> None:
    make_fixture()
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_fixture", "change_fixture"])
    )
    client.force_login(user)
    page = client.get(reverse("admin:streams_fixture_changelist")).content.decode()
    assert 'value="reconcile"' in page
    assert 'value="append_missing"' not in page


def test_a_finished_listener_enqueues_a_reconciliation(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    enqueued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.listener, "follow", lambda fixture_id: Outcome.FINISHED)
    monkeypatch.setattr(
        tasks.reconcile_fixture, "apply_async", lambda **kw: enqueued.append(kw["args"])
    )
    fixture_id = str(uuid.uuid4())
    assert tasks.follow_fixture(fixture_id) == "finished"
    assert enqueued == [(fixture_id,)]
    monkeypatch.setattr(tasks.listener, "follow", lambda fixture_id: Outcome.STOPPED)
    tasks.follow_fixture(fixture_id)
    assert len(enqueued) == 1


def test_no_repair_while_a_listener_follows_the_fixture(
    make_fixture: Callable[..., Fixture], admin_user: User
) -> None:
    fixture = make_fixture()
    holder = ProcessLocks(database_conninfo())
    try:
        assert holder.try_acquire(fixture.id) is not None
        with pytest.raises(service.NothingToRepair, match="listener follows it"):
            service.append_missing(fixture.id, user=admin_user)
    finally:
        holder.close()
    assert not LogRepair.objects.exists()


def test_admin_shows_the_latest_result_on_the_fixture_and_every_check(
    make_fixture: Callable[..., Fixture], admin_client: Client
) -> None:
    fixture = make_fixture()
    missing = {"vendor_position": 7, "action_id": str(uuid.uuid4()), "fixture_seq_num": 8}
    row = Reconciliation.objects.create(
        fixture=fixture,
        checked_at=timezone.now(),
        trigger="finished",
        status="mismatch",
        stored_count=10,
        vendor_count=11,
        missing=[missing],
    )
    change = admin_client.get(reverse("admin:streams_fixture_change", args=[fixture.pk]))
    assert change.status_code == 200
    assert "Mismatch at" in change.content.decode()
    assert "missing: vendor position 7" in change.content.decode()
    listed = admin_client.get(reverse("admin:streams_reconciliation_changelist"))
    assert listed.status_code == 200
    detail = admin_client.get(reverse("admin:streams_reconciliation_change", args=[row.pk]))
    assert "missing: vendor position 7" in detail.content.decode()
    assert admin_client.get(reverse("admin:streams_logrepair_changelist")).status_code == 200

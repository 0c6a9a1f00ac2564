"""A listener worker frozen (SIGSTOP) mid-match for half a minute, then resumed."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.cluster.harness import HostFault
from tests.faults.checks import Figures

pytestmark = pytest.mark.cluster

Run = tuple[Figures, list[HostFault], dict[str, Any]]

# Postgres ends the frozen worker's idle lock session after the idle timeout (the dead-peer
# bound), the next dispatcher tick enqueues its fixtures, and listeners start elsewhere.
BOUND = settings.DEAD_PEER_BOUNDS.user_timeout_seconds + 2.0 + 5.0


def frozen(run: Run) -> HostFault:
    (fault,) = [f for f in run[1] if f.kind == "worker_frozen"]
    return fault


def test_the_freeze_took_fixtures_away_from_their_listener(cluster_run: Run) -> None:
    assert len(frozen(cluster_run).recovery.lost) >= 1


def test_every_fixture_of_the_frozen_worker_is_followed_again_within_the_bound(
    cluster_run: Run,
) -> None:
    fault = frozen(cluster_run)
    again = {f: t - fault.recovery.at for f, t in fault.recovery.followed_again.items()}
    assert set(again) == set(fault.recovery.lost)
    assert max(again.values()) <= BOUND, again


def test_the_resumed_worker_is_back_at_work_within_seconds(cluster_run: Run) -> None:
    back = frozen(cluster_run).back_to_work
    assert back is not None and back <= 10.0


def test_the_resumed_worker_writes_no_state_on_the_fixtures_it_lost(cluster_run: Run) -> None:
    assert frozen(cluster_run).state_writes_after == []

"""A listener worker's host cut off from everything for a minute mid-match, then healed."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.cluster.harness import HostFault
from tests.faults.checks import Figures

pytestmark = pytest.mark.cluster

Run = tuple[Figures, list[HostFault], dict[str, Any]]

# Postgres frees the cut-off worker's locks once its keepalives give up (the user timeout
# at most), the next dispatcher tick enqueues the fixtures, and a listener starts.
BOUND = settings.DEAD_PEER_BOUNDS.user_timeout_seconds + 2.0 + 5.0


def partition(run: Run) -> HostFault:
    (fault,) = [f for f in run[1] if f.kind == "worker_partition"]
    return fault


def test_the_partition_took_fixtures_away_from_their_listener(cluster_run: Run) -> None:
    # Without this the checks below could pass on a fault that hit nothing.
    assert len(partition(cluster_run).recovery.lost) >= 1


def test_every_fixture_of_the_cut_off_worker_is_followed_again_within_the_bound(
    cluster_run: Run,
) -> None:
    fault = partition(cluster_run)
    again = {f: t - fault.recovery.at for f, t in fault.recovery.followed_again.items()}
    assert set(again) == set(fault.recovery.lost)
    assert max(again.values()) <= BOUND, again


def test_the_healed_worker_is_back_at_work_within_seconds(cluster_run: Run) -> None:
    back = partition(cluster_run).back_to_work
    assert back is not None and back <= 10.0


def test_the_healed_worker_writes_no_state_on_the_fixtures_it_lost(cluster_run: Run) -> None:
    assert partition(cluster_run).state_writes_after == []


@pytest.mark.parametrize("check", ["log", "replay", "writers", "viewers"])
def test_no_packet_is_lost_doubled_or_shown_wrong(cluster_run: Run, check: str) -> None:
    figures, _, data = cluster_run
    assert data["packets_compared"] > 0
    assert figures.problems(check) == []

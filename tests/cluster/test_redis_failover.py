"""The Redis master stopped mid-match: the Sentinel promotes its replica and every client of
the product (Celery, the channel layer, our own) finds the new master by itself."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cluster.harness import HostFault
from tests.faults.checks import Figures

pytestmark = pytest.mark.cluster

Run = tuple[Figures, list[HostFault], dict[str, Any]]


def test_the_sentinel_promoted_the_replica(cluster_run: Run) -> None:
    (failover,) = cluster_run[2]["redis_failovers"]
    # down-after-milliseconds 2000, then the election and the promotion.
    assert failover["promoted_seconds"] is not None and failover["promoted_seconds"] <= 15


def test_the_workers_take_tasks_through_the_new_master_within_seconds(cluster_run: Run) -> None:
    (failover,) = cluster_run[2]["redis_failovers"]
    assert failover["tasks_again_seconds"] is not None
    # The promotion, then a reconnect (REDIS_SOCKET_TIMEOUT_SECONDS and kombu's retries).
    assert failover["tasks_again_seconds"] <= 30

"""The Postgres primary killed mid-match and its synchronous standby promoted: every process
finds the new primary through the hosts of DATABASE_URL, and nothing is lost or doubled,
in storage or on any viewer's screen (packets commit on the standby too before viewers are
told of them: the viewers check in test_worker_partition.py covers the whole run)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cluster.harness import HostFault
from tests.faults.checks import Figures

pytestmark = pytest.mark.cluster

Run = tuple[Figures, list[HostFault], dict[str, Any]]


def test_the_failover_took_every_fixture_from_its_listener(cluster_run: Run) -> None:
    (promotion,) = cluster_run[2]["postgres_failovers"]
    assert promotion["fixtures_lost"] >= 1


def test_every_fixture_is_followed_again_on_the_promoted_replica(cluster_run: Run) -> None:
    (promotion,) = cluster_run[2]["postgres_failovers"]
    assert promotion["fixtures_followed_again"] == promotion["fixtures_lost"]
    # The promotion, a reconnect through the host list, a dispatcher tick, a start.
    assert promotion["followed_again_max"] <= 20

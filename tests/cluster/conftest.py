"""The cluster harness runs once per session; its checks are separate tests on its records."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import network, web
from tests.cluster.harness import HostFault, run_cluster_campaign
from tests.cluster.report import markdown, summary, write
from tests.faults.checks import Figures, analyse
from tests.faults.records import CampaignConfig
from tests.faults.services import missing_tools

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_REPORT = pytest.StashKey[str]()


@dataclass(frozen=True)
class ClusterOptions:
    config: CampaignConfig
    partition_seconds: float
    freeze_seconds: float
    web_partition_seconds: float
    synchronous_commit: str  # the product's DDE_SYNCHRONOUS_COMMIT


def options_from_env() -> ClusterOptions:
    """Six matches at 32x (about four minutes each); once every match is followed, the web
    host serving the most viewers is cut off for 20 s and healed, then the web process of
    the busiest web host is frozen for as long and resumed, then the busiest worker's
    host is cut off for 60 s and healed, then the busiest worker is frozen for 30 s and
    resumed, then the Redis master is stopped for the Sentinel to promote its replica, then
    the Postgres primary is killed and its synchronous standby promoted. Packets commit
    with ``synchronous_commit`` on (CLUSTER_SYNCHRONOUS_COMMIT=off shows why)."""
    matches = int(os.environ.get("CLUSTER_MATCHES", 6))
    config = CampaignConfig(
        matches=matches,
        wave_size=matches,
        pace=float(os.environ.get("CLUSTER_PACE", 32.0)),
        seed=int(os.environ.get("CLUSTER_SEED", 6)),
    )
    return ClusterOptions(
        config,
        partition_seconds=float(os.environ.get("CLUSTER_PARTITION_SECONDS", 60.0)),
        freeze_seconds=float(os.environ.get("CLUSTER_FREEZE_SECONDS", 30.0)),
        web_partition_seconds=float(os.environ.get("CLUSTER_WEB_PARTITION_SECONDS", 20.0)),
        synchronous_commit=os.environ.get("CLUSTER_SYNCHRONOUS_COMMIT", "on"),
    )


@pytest.fixture(scope="package")
def cluster_run(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[tuple[Figures, list[HostFault], dict[str, Any]]]:
    missing = missing_tools() + network.missing_tools() + web.missing_tools()
    if missing:
        pytest.fail("the cluster harness needs " + "; ".join(missing))
    options = options_from_env()
    run = run_cluster_campaign(
        options.config,
        ARTEFACTS,
        django_db_blocker.unblock,
        partition_seconds=options.partition_seconds,
        freeze_seconds=options.freeze_seconds,
        web_partition_seconds=options.web_partition_seconds,
        synchronous_commit=options.synchronous_commit,
    )
    figures = analyse(run.result)
    data = summary(run, figures)
    text = markdown(data)
    path = write(ARTEFACTS, data, text)
    request.config.stash[_REPORT] = f"{text}\n(written to {path})"
    yield figures, run.host_faults, data


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("cluster"):
            item.add_marker(pytest.mark.timeout(900))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report:
        terminalreporter.section("cluster harness figures")
        terminalreporter.write(report)

"""A web host cut off mid-match while viewers watch through HAProxy, then healed; then one
frozen (its web process stopped with SIGSTOP), then resumed. Either way its viewers
reconnect through HAProxy to the other web host and resume from their positions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cluster.harness import HostFault
from tests.faults.checks import Figures

pytestmark = pytest.mark.cluster

Run = tuple[Figures, list[HostFault], dict[str, Any]]

# HAProxy's checks take the host out within two failed checks (0.5 s each), it closes the
# host's sessions, and a reconnect reaches the other host within a connect timeout (1 s).
RESUME_BOUND = 10.0


@pytest.fixture(params=["web_partition", "web_frozen"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def web_fault(run: Run, kind: str) -> dict[str, Any]:
    (fault,) = [f for f in run[2]["web_faults"] if f["kind"] == kind]
    return fault


def test_the_fault_cut_off_viewers(cluster_run: Run, kind: str) -> None:
    # Without this the checks below could pass on a fault that hit nobody.
    assert web_fault(cluster_run, kind)["viewers_cut_off"] >= 1


def test_haproxy_takes_the_cut_off_host_out_within_seconds(cluster_run: Run, kind: str) -> None:
    down = web_fault(cluster_run, kind)["marked_down_seconds"]
    assert down is not None and down <= 5.0


def test_every_viewer_cut_off_resumes_on_the_other_host_within_the_bound(
    cluster_run: Run, kind: str
) -> None:
    fault = web_fault(cluster_run, kind)
    assert fault["viewers_resumed"] == fault["viewers_cut_off"]
    others = {"web1", "web2"} - {fault["host"]}
    assert set(fault["resumed_on"]) == others
    assert fault["resume_max"] <= RESUME_BOUND, fault["resume_seconds"]


def test_the_viewers_cut_off_resume_by_position_with_no_gap_or_duplicate(
    cluster_run: Run, kind: str
) -> None:
    assert web_fault(cluster_run, kind)["violations_of_viewers_cut_off"] == []


def test_the_healed_host_is_back_in_service(cluster_run: Run, kind: str) -> None:
    back = web_fault(cluster_run, kind)["back_in_service_seconds"]
    # Two good checks, 0.5 s apart.
    assert back is not None and back <= 5.0

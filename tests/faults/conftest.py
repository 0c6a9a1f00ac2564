"""The fault campaign runs once per session; its checks are separate tests on its records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.campaign import run_campaign
from tests.faults.checks import Figures, analyse
from tests.faults.records import CampaignConfig
from tests.faults.report import markdown, summary, write
from tests.faults.services import missing_tools

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_REPORT = pytest.StashKey[str]()


@pytest.fixture(scope="package")
def campaign(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[tuple[Figures, dict[str, Any]]]:
    missing = missing_tools()
    if missing:
        pytest.fail("the fault suite needs " + "; ".join(missing))
    config = CampaignConfig.from_env(soak=request.config.getoption("--soak"))
    result = run_campaign(config, ARTEFACTS, django_db_blocker.unblock)
    figures = analyse(result)
    data = summary(result, figures)
    text = markdown(data, result)
    path = write(ARTEFACTS, data, text)
    request.config.stash[_REPORT] = f"{text}\n(written to {path})"
    yield figures, data


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The campaign runs in the first test's setup: give it time by the number of waves."""
    campaign = CampaignConfig.from_env(soak=config.getoption("--soak"))
    waves = -(-campaign.matches // campaign.wave_size)
    for item in items:
        if item.get_closest_marker("faults"):
            item.add_marker(pytest.mark.timeout(300 + 400 * waves))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report:
        terminalreporter.section("fault suite figures")
        terminalreporter.write(report + "\n")

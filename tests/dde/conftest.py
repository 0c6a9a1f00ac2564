"""The fuzz targets' example counts, in the test output (tests/dde/test_fuzz.py)."""

from __future__ import annotations

import pytest

FUZZ_RUNS = pytest.StashKey[dict[str, int]]()


@pytest.fixture(scope="session")
def fuzz_runs(pytestconfig: pytest.Config) -> dict[str, int]:
    """Examples run per fuzz target, reported at the end of the session."""
    return pytestconfig.stash.setdefault(FUZZ_RUNS, {})


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    runs = config.stash.get(FUZZ_RUNS, {})
    if runs:
        counts = ", ".join(f"{target} {count} examples" for target, count in sorted(runs.items()))
        terminalreporter.write_line(f"fuzz: {counts}")

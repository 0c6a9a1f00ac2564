"""docker/.env.example and the README list every variable the settings read."""

from __future__ import annotations

import ast
import re

from tests.support.env_example import ENV_EXAMPLE, documented_variables
from tests.support.processes import ROOT


def variables_read_by_settings() -> set[str]:
    """Names passed to the typed readers (env_str, env_int, ...) anywhere in dde_site/."""
    names = set()
    for path in (ROOT / "dde_site").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id.startswith("env_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(str(node.args[0].value))
    return names


def test_the_settings_read_the_variables_this_test_expects_to_find() -> None:
    # Guards the parser above: if it found nothing, the next tests would prove nothing.
    assert {"SECRET_KEY", "DATABASE_URL", "METRICS_TOKEN", "DDE_AUTH_TOKEN"} <= (
        variables_read_by_settings()
    )


def test_env_example_lists_every_variable_the_settings_read_and_no_other() -> None:
    assert documented_variables() == variables_read_by_settings()


def test_every_variable_in_env_example_has_a_one_line_comment_above_it() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            assert lines[number - 1].startswith("# "), line


def test_the_readme_configuration_names_every_variable() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = {name for name in variables_read_by_settings() if f"`{name}`" not in readme}
    assert missing == set()

"""docker/.env.example, the documented environment of a deployment."""

from __future__ import annotations

import re

from tests.support.processes import ROOT

ENV_EXAMPLE = ROOT / "docker" / ".env.example"


def documented_variables() -> set[str]:
    """The names docker/.env.example sets."""
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE))

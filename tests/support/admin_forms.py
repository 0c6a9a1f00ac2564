"""The admin's forms as a browser posts them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone


def form_data(**overrides: Any) -> dict[str, Any]:
    """The fixture add/change form, filled in for a fixture an hour from now."""
    kickoff = timezone.now() + dt.timedelta(hours=1)
    data = {
        "id": str(uuid.uuid4()),
        "name": "",
        "home_team": "Home FC",
        "away_team": "Away FC",
        "kickoff_0": kickoff.strftime("%Y-%m-%d"),
        "kickoff_1": kickoff.strftime("%H:%M:%S"),
        "listen_from_0": (kickoff - dt.timedelta(minutes=15)).strftime("%Y-%m-%d"),
        "listen_from_1": (kickoff - dt.timedelta(minutes=15)).strftime("%H:%M:%S"),
        "listen_until_0": (kickoff + dt.timedelta(hours=3)).strftime("%Y-%m-%d"),
        "listen_until_1": (kickoff + dt.timedelta(hours=3)).strftime("%H:%M:%S"),
        "feed": "betting",
        "speed": "fast",
    }
    data.update(overrides)
    return data

"""The admin's add form: staff give the vendor's fixture id; teams and kick-off are fetched.

Teams, name, kick-off, status and coverage come from the vendor's Fixtures API
(``GET /{sport}/fixtures/{id}``, docs/dde-protocol.md §11.1), never typed. The listen
window may be given; left blank it defaults from the kick-off
(``FIXTURE_LISTEN_BEFORE_MINUTES`` before, ``FIXTURE_LISTEN_AFTER_MINUTES`` after).
"""

from __future__ import annotations

from typing import Any

from django import forms

from streams.dde.rest import DdeApiError, FixtureInfo, parse_fixture
from streams.feed import importing
from streams.models import Fixture, FixtureStatus

ADD_FIELDSETS = (
    (None, {"fields": ("id",)}),
    ("Listening", {"fields": ("listen_from", "listen_until", "feed", "speed")}),
)


class FixtureAddForm(forms.ModelForm[Fixture]):
    class Meta:
        model = Fixture
        fields = ("id", "listen_from", "listen_until", "feed", "speed")
        help_texts = {
            "id": "The vendor's fixture id; teams and kick-off are fetched from its fixtures API.",
            "listen_from": "Blank: from the kick-off, as the settings say (30 min before).",
            "listen_until": "Blank: from the kick-off, as the settings say (3 h after).",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["listen_from"].required = False
        self.fields["listen_until"].required = False
        self.vendor: FixtureInfo | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fixture_id = data.get("id")
        if fixture_id is None or self.has_error("id"):
            return data
        client = importing.api()
        try:
            info = parse_fixture(client.fixture(str(fixture_id)))
        except DdeApiError as exc:
            if exc.status == 404:
                message = f"The vendor does not know fixture {fixture_id}."
            else:
                message = f"Could not fetch fixture {fixture_id} from the vendor: {exc}"
            self.add_error("id", client.redact(message))
            return data
        if info.id != str(fixture_id):
            self.add_error("id", f"The vendor answered with another fixture ({info.id}).")
            return data
        self.vendor = info
        self._copy_vendor(info)
        default_from, default_until = importing.listen_window(info.kickoff)
        start = data.get("listen_from") or default_from
        end = data.get("listen_until") or default_until
        data["listen_from"], data["listen_until"] = start, end
        if end <= start:
            self.add_error("listen_until", "The listen window must end after it starts.")
        elif end <= info.kickoff:
            self.add_error("listen_until", "The listen window must end after kick-off.")
        elif start > info.kickoff:
            self.add_error("listen_from", "The listen window must open by kick-off.")
        return data

    def _copy_vendor(self, info: FixtureInfo) -> None:
        # On the instance now: the ModelForm then fills only its own fields around them.
        fixture = self.instance
        fixture.name = info.name[:200]
        fixture.home_team, fixture.away_team = info.home_team[:120], info.away_team[:120]
        fixture.home_team_id = info.home_team_id or ""
        fixture.away_team_id = info.away_team_id or ""
        fixture.kickoff = info.kickoff
        fixture.status = info.status or FixtureStatus.SCHEDULED
        fixture.coverage_level = info.coverage_level or ""
        fixture.vendor_deleted = info.deleted

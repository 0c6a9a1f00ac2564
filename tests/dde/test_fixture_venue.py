"""A vendor fixture's competition and venue (streams/dde/rest.py): read where the fixture
names them, cleaned and clipped, and kept by the import."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from streams.dde.bounds import NAME_CHARS, is_clean
from streams.dde.rest import parse_fixture
from streams.feed.importing import save_fixture
from streams.models import Fixture

FIXTURE: dict[str, Any] = {
    "id": "a777703c-3c72-4a09-ad3a-355a965067ad",
    "name": "Nyköbing FC v FC Helsingör",
    "startDateUTC": "2023-02-25T14:00:00",
}


@pytest.mark.parametrize(
    ("extra", "competition", "venue"),
    [
        ({}, "", ""),
        ({"venue": {"name": "Mors Stadion", "city": "Nykøbing"}}, "", "Mors Stadion"),
        ({"venue": "Sportspark"}, "", "Sportspark"),
        ({"stage": {"name": "Round 3", "competition": {"id": 7, "name": "1st Division"}}},
         "1st Division", ""),
        ({"stage": {"season": {"competition": {"name": "Superliga"}}}}, "Superliga", ""),
        ({"competition": {"name": "Cup"}, "stage": {"competition": {"name": "Other"}}}, "Cup", ""),
        ({"venue": {"name": None}, "stage": {"competition": ["not", "an", "object"]}}, "", ""),
        ({"venue": 42}, "", "42"),
    ],
)  # fmt: skip
def test_competition_and_venue_are_read_where_the_fixture_names_them(
    extra: dict[str, Any], competition: str, venue: str
) -> None:
    info = parse_fixture({**FIXTURE, **extra})
    assert (info.competition, info.venue) == (competition, venue)


def test_hostile_names_are_cleaned_and_clipped() -> None:
    long = "<b>\u202e" + "V" * 5_000 + "\x00"
    info = parse_fixture({**FIXTURE, "venue": {"name": long}, "competition": {"name": long}})
    for text in (info.venue, info.competition):
        assert is_clean(text, NAME_CHARS) and len(text) == NAME_CHARS and text.startswith("<b>V")


@pytest.mark.django_db
def test_the_import_keeps_them_and_a_fixture_that_no_longer_names_them_keeps_its_own() -> None:
    named = {**FIXTURE, "venue": {"name": "Stadion"}, "stage": {"competition": {"name": "Liga"}}}
    fixture, created = save_fixture(parse_fixture(named))
    assert created and (fixture.competition, fixture.venue) == ("Liga", "Stadion")

    save_fixture(parse_fixture(FIXTURE))  # listed again without them

    fixture = Fixture.objects.get(pk=fixture.pk)
    assert (fixture.competition, fixture.venue) == ("Liga", "Stadion")


@pytest.mark.django_db
def test_the_list_and_the_match_info_show_them_as_text() -> None:
    named = {**FIXTURE, "venue": {"name": "<i>Stadion</i>"}, "competition": {"name": "=Liga"}}
    fixture, _ = save_fixture(parse_fixture(named))
    client = Client()

    page = client.get(f"/fixtures/{fixture.pk}/").content.decode()
    listed = client.get("/", {"day": fixture.kickoff.date().isoformat()}).content.decode()

    assert "<dt>Competition</dt><dd>=Liga</dd>" in page
    assert "<dt>Venue</dt><dd>&lt;i&gt;Stadion&lt;/i&gt;</dd>" in page
    assert '<span class="competition" data-field="competition">=Liga</span>' in listed

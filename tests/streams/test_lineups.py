"""The lineups and match conditions panels: lenient reading of undocumented metadata, the
newest of each for the page, and the page's lists drawn without JavaScript."""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
import uuid
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from streams.dde.bounds import LABEL_CHARS, NAME_CHARS, bounded_metadata
from streams.meaning.kinds import ActionKind
from streams.meaning.lineups import PLAYERS_KEPT, line_of, panel_of, panels
from streams.simulator import Match, generate_match
from streams.simulator import catalog as ct
from streams.simulator.hostile import hostile_metadata
from tests.conftest import match_packets, store_match

KICKOFF = dt.datetime(2025, 3, 1, 15, 0, tzinfo=dt.UTC)
L, C = ActionKind.LINEUPS, ActionKind.MATCH_CONDITIONS


@functools.cache
def match() -> Match:
    return generate_match(uuid.UUID("0c0ffee0-0000-4000-8000-00000000a11e"), KICKOFF)


def sent_metadata(type_id: int, home: bool | None = None) -> dict[str, Any]:
    """The metadata the simulator sends on its first action of ``type_id`` (for ``home``)."""
    for packet in match().packets:
        action = packet["fixtureAction"]
        team = action.get("team") or {}
        if action["fixtureActionTypeId"] == type_id and team.get("homeTeam", None) == home:
            metadata: dict[str, Any] = action["metadata"]
            return metadata
    raise AssertionError("the simulator sent no such action")


def lineup_action(metadata: object, home: bool | None = True, **fields: Any) -> dict[str, Any]:
    """A Lineups action payload as the parser leaves it (metadata bounded)."""
    return {
        "action_id": str(uuid.uuid4()),
        "team_is_home": home,
        "team_name": "Kingsport Rovers",
        "metadata": bounded_metadata(metadata),
        "removed": False,
        **fields,
    }


def players_of(metadata: object, home: bool | None = True) -> list[dict[str, Any]]:
    panel = panel_of(L, lineup_action(metadata, home))
    assert panel is not None
    players: list[dict[str, Any]] = panel["lineup"]["players"]
    return players


def test_the_simulators_lineup_reads_as_eleven_starters_and_a_bench_in_lines() -> None:
    metadata = sent_metadata(ct.LINEUPS, home=True)
    panel = panel_of(L, lineup_action(metadata, home=True))

    assert panel is not None
    lineup = panel["lineup"]
    assert lineup["side"] == "home"
    sent = metadata["players"]
    assert [p["id"] for p in lineup["players"]] == [p["id"] for p in sent]
    assert [p["name"] for p in lineup["players"]] == [p["name"] for p in sent]
    assert [p["number"] for p in lineup["players"]] == [str(p["shirtNumber"]) for p in sent]
    starters = [p for p in lineup["players"] if p["starter"]]
    assert len(starters) == 11
    assert [p["line"] for p in starters] == ["goalkeeper", *["defence"] * 4, *["midfield"] * 4,
                                             "attack", "attack"]  # fmt: skip
    assert all(p["line"] for p in lineup["players"])


def test_an_away_lineup_is_the_away_sides_and_one_without_a_team_has_no_side() -> None:
    metadata = sent_metadata(ct.LINEUPS, home=False)
    away = panel_of(L, lineup_action(metadata, home=False))
    nobody = panel_of(L, lineup_action(metadata, home=None))
    assert away is not None and away["lineup"]["side"] == "away"
    assert nobody is not None and nobody["lineup"]["side"] is None


def test_keys_are_read_without_regard_to_case_and_by_their_synonyms() -> None:
    metadata = {
        "Squad": [
            {"PlayerId": 7, "FullName": "Ana Costa", "JerseyNumber": "9", "Role": "ST",
             "isStarter": "true"},
            {"player": {"id": "p-2", "name": "Bo Lind"}, "shirt_number": 1,
             "positionName": "GK", "LineupStatus": "Starting"},
            {"id": "p-3", "firstName": "Cy", "lastName": "Obi", "number": 14,
             "position": {"name": "Centre Back"}, "lineupStatus": "Substitute"},
        ]
    }  # fmt: skip
    players = players_of(metadata)
    assert [(p["id"], p["name"], p["number"], p["position"], p["line"], p["starter"])
            for p in players] == [
        ("7", "Ana Costa", "9", "ST", "attack", True),
        ("p-2", "Bo Lind", "1", "GK", "goalkeeper", True),
        ("p-3", "Cy Obi", "14", "Centre Back", "defence", False),
    ]  # fmt: skip


def test_separate_lists_of_starters_and_substitutes_say_who_starts() -> None:
    flat = {"starters": [{"name": "A", "number": 1}], "Bench": [{"name": "B", "number": 12}]}
    nested = {"lineup": {"startingEleven": [{"name": "A"}], "substitutes": [{"name": "B"}]}}
    for metadata in (flat, nested):
        assert [(p["name"], p["starter"]) for p in players_of(metadata)] == [
            ("A", True),
            ("B", False),
        ]


def test_players_whose_start_nobody_states_are_one_squad_and_the_rest_bench() -> None:
    unknown = players_of({"players": [{"name": "A"}, {"name": "B"}]})
    assert [p["starter"] for p in unknown] == [None, None]
    some = players_of({"players": [{"name": "A", "starter": True}, {"name": "B"}]})
    assert [p["starter"] for p in some] == [True, False]


@pytest.mark.parametrize(
    ("position", "line"),
    [
        ("Goalkeeper", "goalkeeper"),
        ("GK", "goalkeeper"),
        ("Defender", "defence"),
        ("DF", "defence"),
        ("CB", "defence"),
        ("lb", "defence"),
        ("Left Wing-Back", "defence"),
        ("Defensive Midfielder", "midfield"),
        ("Attacking midfield", "midfield"),
        ("CDM", "midfield"),
        ("Forward", "attack"),
        ("Right Winger", "attack"),
        ("Striker", "attack"),
        ("FW", "attack"),
        ("Coach", ""),
        ("", ""),
    ],
)
def test_a_position_name_gives_its_line_of_the_formation(position: str, line: str) -> None:
    assert line_of(position) == line


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        "players",
        [],
        {},
        {"players": "eleven"},
        {"players": [1, "two", None, [], {}, {"position": "GK"}, {"name": 5}]},
        {"players": {"deeper": {"deeper": [{"name": "A"}]}}},
    ],
)
def test_junk_lineup_metadata_gives_no_panel(metadata: object) -> None:
    assert panel_of(L, lineup_action(metadata)) is None


def test_malformed_entries_are_skipped_and_strings_are_kept_as_clipped_text() -> None:
    metadata = {
        "players": [
            "<b>nobody</b>",
            {"name": "<script>alert(1)</script>" + "x" * 300, "number": "=HYPERLINK(1)"},
            {"number": 1000, "name": "Numberless"},
            {"name": "Positioned", "position": "P" * 200, "starter": "maybe"},
        ]
    }
    players = players_of(metadata)
    assert [p["name"][:25] for p in players] == ["<script>alert(1)</script>", "Numberless",
                                                 "Positioned"]  # fmt: skip
    assert len(players[0]["name"]) == NAME_CHARS and players[0]["name"].endswith("…")
    assert players[0]["number"] == "=HYPERL…"
    assert players[1]["number"] == ""
    assert len(players[2]["position"]) == LABEL_CHARS and players[2]["line"] == ""
    assert [p["starter"] for p in players] == [None, None, None]


def test_at_most_forty_players_of_a_team_are_kept() -> None:
    metadata = {"players": [{"name": f"P{n}", "number": n} for n in range(90)]}
    assert len(players_of(metadata)) == PLAYERS_KEPT == 40


def test_the_simulators_conditions_read_as_weather_temperature_and_pitch() -> None:
    metadata = sent_metadata(ct.MATCH_CONDITIONS)
    panel = panel_of(C, {"metadata": metadata})
    assert panel == {
        "conditions": {
            "weather": metadata["weather"],
            "temperature": f"{metadata['temperatureCelsius']} °C",
            "pitch": metadata["pitchCondition"],
        }
    }


def test_conditions_are_read_leniently_and_junk_gives_no_panel() -> None:
    metadata = {"WEATHER": "Rain", "temperature": "18.5", "surface": "Wet"}
    assert panel_of(C, {"metadata": metadata}) == {
        "conditions": {"weather": "Rain", "temperature": "18.5 °C", "pitch": "Wet"}
    }
    assert panel_of(C, {"metadata": {"temperatureFahrenheit": 64}}) == {
        "conditions": {"temperature": "64 °F"}
    }
    for junk in (None, [], {}, {"weather": 5, "pitch": ["Good"]}, {"notes": "x"}):
        assert panel_of(C, {"metadata": junk}) is None


def test_hostile_conditions_are_clipped_text() -> None:
    metadata = bounded_metadata(hostile_metadata(sent_metadata(ct.MATCH_CONDITIONS)))
    panel = panel_of(C, {"metadata": metadata})
    assert panel is not None
    conditions = panel["conditions"]
    assert len(conditions["weather"]) == LABEL_CHARS
    assert conditions["weather"].startswith("<script>")
    assert set(conditions) == {"weather", "temperature", "pitch"}


def test_other_kinds_have_no_panel_whatever_their_metadata() -> None:
    metadata = sent_metadata(ct.LINEUPS, home=True)
    for kind in (ActionKind.GOAL, ActionKind.TEAM_COLOURS, ActionKind.OTHER):
        assert panel_of(kind, lineup_action(metadata)) is None


def with_row(action: dict[str, Any], kind: ActionKind) -> dict[str, Any]:
    return {**action, "row": {"kind": kind.value, "panel": panel_of(kind, action)}}


def test_the_page_gets_the_newest_lineup_of_each_side_and_the_newest_conditions() -> None:
    first = with_row(lineup_action({"players": [{"name": "Old"}]}, home=True), L)
    away = with_row(lineup_action({"players": [{"name": "Away"}]}, home=False), L)
    newer = with_row(lineup_action({"players": [{"name": "New"}]}, home=True), L)
    sideless = with_row(lineup_action({"players": [{"name": "Who"}]}, home=None), L)
    dry = with_row({"action_id": "c1", "metadata": {"weather": "Dry"}, "removed": False}, C)
    wet = with_row({"action_id": "c2", "metadata": {"weather": "Wet"}, "removed": False}, C)
    goal = {"action_id": "g", "removed": False, "row": {"kind": "goal", "panel": None}}

    found = panels([away, first, dry, goal, newer, sideless, wet])

    assert list(found["lineups"]) == ["home", "away"]
    assert found["lineups"]["home"]["players"][0]["name"] == "New"
    assert found["lineups"]["home"]["action_id"] == newer["action_id"]
    assert found["lineups"]["away"]["players"][0]["name"] == "Away"
    assert found["conditions"] == {"weather": "Wet", "action_id": "c2"}


def test_a_removed_lineup_or_conditions_is_not_used() -> None:
    kept = with_row(lineup_action({"players": [{"name": "Kept"}]}), L)
    removed = with_row(lineup_action({"players": [{"name": "Removed"}]}, removed=True), L)
    dry = with_row({"action_id": "c1", "metadata": {"weather": "Dry"}, "removed": True}, C)

    found = panels([kept, removed, dry])

    assert found["lineups"]["home"]["players"][0]["name"] == "Kept"
    assert found["conditions"] is None
    assert panels([removed]) == {"lineups": {}, "conditions": None}


def embedded(page: str, element_id: str) -> Any:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page)
    assert found is not None
    return json.loads(found[1])


@pytest.mark.django_db
def test_the_match_page_lists_both_lineups_and_the_conditions_before_kick_off(
    client: Client,
) -> None:
    game = match()
    setup = [p for p in match_packets(game) if p.action.period == 0]
    fixture = store_match(game, setup)

    page = client.get(f"/fixtures/{fixture.pk}/").content.decode()

    data = embedded(page, "panels-data")
    assert list(data["lineups"]) == ["home", "away"]
    panel = page.split("data-lineups-panel>")[1].split("</section>\n</section>")[0]
    for side, team in (("home", game.home), ("away", game.away)):
        section = page.split(f'data-lineup="{side}"')[1].split("</section>")[0]
        names = [
            html.unescape(n) for n in re.findall(r'<span class="name">([^<]*)</span>', section)
        ]
        assert names == [p.name for p in team.starters] + [p.name for p in team.bench]
        assert f'data-player-id="{team.players[0].id}"' in section
    assert "Starting eleven" in panel and "Substitutes" in panel
    conditions = sent_metadata(ct.MATCH_CONDITIONS)
    info = page.split("data-match-info>")[1].split("</section>")[0]
    assert f"<dd>{conditions['weather']}</dd>" in info
    assert f"<dd>{conditions['temperatureCelsius']} °C</dd>" in info
    assert f'<time data-local="kickoff" datetime="{fixture.kickoff.isoformat()}">' in info


@pytest.mark.django_db
def test_a_page_without_lineups_says_so(client: Client) -> None:
    game = match()
    fixture = store_match(game, match_packets(game)[:1])  # Team Colours only
    page = client.get(f"/fixtures/{fixture.pk}/").content.decode()
    assert "No lineup yet." in page
    assert 'data-condition="weather" hidden' in page


def test_the_lists_escape_what_the_feed_sent() -> None:
    lineup = panel_of(L, lineup_action({"players": [
        {"id": '"><img src=x>', "name": "<script>alert(1)</script>", "number": "<b>",
         "position": "<i>GK</i>", "starter": True},
    ]}))  # fmt: skip
    conditions = {"weather": "<script>rain</script>", "pitch": "<a href=x>"}
    assert lineup is not None
    fixture = {"home_team": "<u>Home</u>", "kickoff": KICKOFF}
    context = {"fixture": fixture, "panels": {"lineups": {"home": lineup["lineup"]},
                                              "conditions": conditions}}  # fmt: skip
    drawn = render_to_string("streams/panels/lineups.html", context) + render_to_string(
        "streams/panels/match_info.html", context
    )
    for markup in ("<script>", "<img", "<b>", "<i>", "<u>", "<a href"):
        assert markup not in drawn
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drawn
    assert "&lt;script&gt;rain&lt;/script&gt;" in drawn

"""Tolerant single-value readers: numbers, booleans, times, enums, metadata keys."""

from __future__ import annotations

import datetime as dt

import pytest

from streams.dde.values import (
    FIXTURE_STATUSES,
    as_bool,
    as_datetime,
    as_float,
    as_int,
    enum_name,
    metadata_value,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (757, 757),
        ("757", 757),
        (" -3 ", -3),
        ("757.0", 757),
        (757.0, 757),
        ("9007199254740993", 9007199254740993),
        (True, None),
        ("1.5", None),
        ("", None),
        (None, None),
        (2**63, None),
        ("1e3", 1000),
    ],
)
def test_as_int_reads_integers_in_every_documented_disguise(
    value: object, expected: int | None
) -> None:
    assert as_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.0000000079878635", 1.0000000079878635),
        (1e-16, 1e-16),
        ("1.0E-16", 1e-16),
        ("Infinity", None),
        ("nan", None),
        (float("inf"), None),
        (False, None),
        ("0x10", None),
    ],
)
def test_as_float_accepts_finite_json_numbers_only(value: object, expected: float | None) -> None:
    assert as_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("FALSE", False),
        (1, True),
        (0, False),
        ("yes", None),
        (2, None),
        (None, None),
    ],
)
def test_as_bool_accepts_booleans_and_their_plain_spellings(
    value: object, expected: bool | None
) -> None:
    assert as_bool(value) is expected


def test_as_datetime_reads_times_as_utc() -> None:
    assert as_datetime("2023-02-25T14:00:00") == dt.datetime(2023, 2, 25, 14, tzinfo=dt.UTC)
    assert as_datetime("2023-10-17T15:44:16.214769Z") == dt.datetime(
        2023, 10, 17, 15, 44, 16, 214769, tzinfo=dt.UTC
    )
    assert as_datetime("") is None and as_datetime(1700000000) is None


def test_enum_names_fold_case_and_separators_and_map_ids() -> None:
    assert enum_name("completed", FIXTURE_STATUSES) == "Completed"
    assert enum_name(" UNVERIFIED ", FIXTURE_STATUSES) == "Unverified"
    assert enum_name("1", FIXTURE_STATUSES) == "Live"
    assert enum_name(None, FIXTURE_STATUSES) is None
    assert enum_name("  ", FIXTURE_STATUSES) is None


def test_metadata_keys_are_looked_up_ignoring_case() -> None:
    rest_style = {"AwayTeamColour": "255, 0, 0", "HomeTeamColour": "5, 52, 13"}
    volleyball_style = {"homeTeamColour": "1, 2, 3"}
    assert metadata_value(rest_style, "homeTeamColour") == "5, 52, 13"
    assert metadata_value(volleyball_style, "HomeTeamColour") == "1, 2, 3"
    assert metadata_value({"coverageLevel": 3, "COVERAGELEVEL": 1}, "coverageLevel") == 3
    assert metadata_value({}, "HomeTeamColour") is None

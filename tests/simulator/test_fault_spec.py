"""Parsing ``--faults``: comma-separated name=value pairs, clear errors for anything else."""

from __future__ import annotations

import json

import pytest

from streams.simulator import FaultSpec
from streams.simulator.faults import MALFORMED_KINDS, huge_frame, malformed_frame


def test_an_empty_spec_means_no_faults() -> None:
    assert FaultSpec.parse("") == FaultSpec()
    assert not FaultSpec.parse(" , ").active
    assert str(FaultSpec()) == "none"


def test_every_fault_is_parsed() -> None:
    spec = FaultSpec.parse(
        "drop=50,drop_code=1011,silence=3:2.5,malformed=7,repeat=30,reject_token=4,http503=5"
    )
    assert spec == FaultSpec(
        drop=50,
        drop_code=1011,
        silence_after=3,
        silence_seconds=2.5,
        malformed=7,
        repeat=30,
        reject_token=4.0,
        http503=5,
    )
    assert FaultSpec.parse(str(spec)) == spec


def test_the_random_and_periodic_faults_are_parsed_and_printed_back() -> None:
    spec = FaultSpec.parse(
        "drop_random=20,drop_code=mix,stall=150:4,reject_token_every=12:1.5,seed=7"
    )
    assert spec == FaultSpec(
        drop_random=20,
        drop_mix=True,
        stall_every=150,
        stall_seconds=4.0,
        reject_every=12.0,
        reject_for=1.5,
        seed=7,
    )
    assert FaultSpec.parse(str(spec)) == spec
    assert not FaultSpec.parse("seed=3").active


def test_drop_code_mix_takes_every_close_in_turn() -> None:
    spec = FaultSpec.parse("drop=5,drop_code=mix")
    assert [spec.drop_code_for(n) for n in range(5)] == [1000, 1001, None, 1011, 1000]
    assert FaultSpec.parse("drop=5,drop_code=1011").drop_code_for(3) == 1011


def test_a_periodic_token_refusal_covers_the_end_of_every_period() -> None:
    spec = FaultSpec.parse("reject_token_every=10:2")
    refused = [t for t in range(30) if spec.refuses_token_at(t + 0.5)]
    assert refused == [8, 9, 18, 19, 28, 29]
    assert FaultSpec.parse("reject_token=3").refuses_token_at(2.9)
    assert not FaultSpec.parse("reject_token=3").refuses_token_at(3.1)


def test_drop_aborts_the_connection_unless_a_code_is_given() -> None:
    assert FaultSpec.parse("drop=5").drop_code is None
    assert FaultSpec.parse("drop=5,drop_code=abort").drop_code is None
    assert FaultSpec.parse("drop=5,drop_code=1000").drop_code == 1000


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("explode=1", "unknown fault 'explode'"),
        ("drop", "needs a value"),
        ("drop=0", "positive integer"),
        ("repeat=often", "positive integer"),
        ("drop_code=1002", "drop_code must be one of"),
        ("silence=5", "AFTER:SECONDS"),
        ("silence=5:soon", "seconds"),
        ("reject_token=-1", "seconds"),
        ("drop_code=sometimes", "drop_code must be one of"),
        ("stall=5", "N:SECONDS"),
        ("reject_token_every=2:3", "0 < SECONDS < PERIOD"),
        ("seed=x", "integer"),
    ],
)
def test_a_bad_spec_is_a_value_error_that_says_why(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultSpec.parse(spec)


def test_malformed_frames_cycle_through_every_kind() -> None:
    frame = json.dumps({"fixtureAction": {"actionId": "x", "period": 1}, "fixtureSummary": {}})
    kinds = [malformed_frame(index, frame) for index in range(len(MALFORMED_KINDS) + 1)]
    invalid, truncated, array, missing, binary, again = kinds
    for text in (invalid, truncated):
        assert isinstance(text, str)
        with pytest.raises(ValueError):
            json.loads(text)
    assert isinstance(array, str) and isinstance(json.loads(array), list)
    assert isinstance(missing, str) and "actionId" not in json.loads(missing)["fixtureAction"]
    assert isinstance(binary, bytes)
    assert again == invalid


def test_huge_pads_every_nth_position_to_a_size() -> None:
    spec = FaultSpec.parse("huge=300:2000000")
    assert (spec.huge_every, spec.huge_bytes) == (300, 2_000_000)
    assert FaultSpec.parse(str(spec)) == spec
    with pytest.raises(ValueError, match="N:BYTES"):
        FaultSpec.parse("huge=300")


def test_a_huge_frame_is_the_same_packet_padded_with_an_unknown_key() -> None:
    frame = json.dumps({"fixtureAction": {"actionId": "a"}, "finished": False})
    padded = huge_frame(frame, 10_000)
    assert len(padded.encode()) >= 10_000
    packet = json.loads(padded)
    assert set(packet.pop("padding")) == {"x"}
    assert packet == json.loads(frame)

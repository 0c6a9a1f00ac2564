"""The simulator's unsent=INDEX fault, as parsed (its feed: tests/reconcile/test_reconcile.py)."""

from __future__ import annotations

import pytest

from streams.simulator.faults import FaultSpec


def test_unsent_takes_a_zero_based_index_and_is_active_even_at_0() -> None:
    spec = FaultSpec.parse("unsent=0")
    assert spec.unsent == 0
    assert spec.active
    assert str(spec) == "unsent=0"
    assert FaultSpec.parse(str(FaultSpec.parse("unsent=20,repeat=5"))) == FaultSpec.parse(
        "repeat=5,unsent=20"
    )


def test_by_default_every_packet_is_sent() -> None:
    assert FaultSpec().unsent is None
    assert FaultSpec.parse("").unsent is None
    assert not FaultSpec().active


@pytest.mark.parametrize("value", ["-1", "x", "1.5"])
def test_a_bad_index_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="unsent"):
        FaultSpec.parse(f"unsent={value}")

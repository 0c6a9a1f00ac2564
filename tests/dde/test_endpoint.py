"""Feed URLs and upgrade headers (docs/dde-protocol.md §1, §2.1, §4)."""

from __future__ import annotations

from typing import Any

import pytest

from streams.dde.endpoint import ACCEPT, FeedEndpoint

FIXTURE = "83881cfa-f186-4c34-8f2f-627e410b225d"


def endpoint(base: str = "ws://127.0.0.1:8765", **options: Any) -> FeedEndpoint:
    return FeedEndpoint(streams_url=base, fixture_id=FIXTURE, token="s3cr3t", **options)


def test_the_betting_url_carries_the_start_position() -> None:
    assert endpoint().url(0) == (
        f"ws://127.0.0.1:8765/soccer/fixtures/{FIXTURE}/actions?startPosition=0"
    )


def test_the_media_url_speed_and_a_path_prefix_are_honoured() -> None:
    url = endpoint("wss://feeds.example/dde/", media=True, speed="fast").url(42)
    assert url == (
        f"wss://feeds.example/dde/media/soccer/fixtures/{FIXTURE}/actions"
        "?startPosition=42&speed=fast"
    )


def test_a_query_on_the_base_url_is_kept() -> None:
    url = endpoint("ws://h/?region=eu", speed="normal").url(3)
    assert url == f"ws://h/soccer/fixtures/{FIXTURE}/actions?region=eu&startPosition=3&speed=normal"


def test_the_token_is_in_the_headers_but_not_in_the_url_or_repr() -> None:
    feed = endpoint()
    assert feed.headers() == {"Accept": ACCEPT, "Authorization": "Bearer s3cr3t"}
    assert "s3cr3t" not in feed.url(0) and "s3cr3t" not in repr(feed)


@pytest.mark.parametrize(
    ("base", "options"),
    [("http://h", {}), ("h:8765", {}), ("ws://h", {"speed": "slow"}), ("ws://h", {"sport": ""})],
)
def test_bad_settings_fail_at_once_instead_of_being_retried_forever(
    base: str, options: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        endpoint(base, **options)


def test_a_negative_start_position_is_refused() -> None:
    with pytest.raises(ValueError):
        endpoint().url(-1)

"""Under the web process as deployed: exports stream from an async iterator, chunk by chunk."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from streams.models import Fixture
from tests.api.conftest import match_number
from tests.conftest import store_match

# A real web process (`python -m dde_site.processes web`).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_csv_export_arrives_in_several_chunks_and_equals_the_json_rows(
    web_process: str, api_key: str
) -> None:
    fixture: Fixture = store_match(match_number(5))
    headers = {"Authorization": f"Bearer {api_key}"}
    base = f"{web_process}/api/fixtures/{fixture.id}/actions/"
    rows = httpx.get(f"{base}?page_size=1000&include_removed=true", headers=headers).json()
    with httpx.stream(
        "GET", f"{base}?format=csv&include_removed=true", headers=headers
    ) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers
        chunks = list(response.iter_raw())
    # One chunk per fetch of rows: not one buffered body.
    assert len(chunks) >= 2
    reader = csv.DictReader(io.StringIO(b"".join(chunks).decode()))
    assert [row["action_id"] for row in reader] == [r["action_id"] for r in rows["results"]]


def test_a_client_that_hangs_up_mid_download_leaves_the_web_process_serving(
    web_process: str, api_key: str
) -> None:
    fixture: Fixture = store_match(match_number(6))
    headers = {"Authorization": f"Token {api_key}"}
    url = f"{web_process}/api/fixtures/{fixture.id}/packets/?format=ndjson"
    with httpx.stream("GET", url, headers=headers) as response:
        next(response.iter_raw())
    again = httpx.get(url, headers=headers)
    assert again.status_code == 200
    assert len(again.content.splitlines()) == fixture.packet_count

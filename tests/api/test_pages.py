"""The match centre's export links work for the staff who see them."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.api.conftest import body, csv_rows, match_number
from tests.conftest import store_match

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_export_link_on_the_match_centre_downloads_for_staff(admin_client: Client) -> None:
    fixture = store_match(match_number(7))
    html = admin_client.get(f"/fixtures/{fixture.id}/").content.decode()
    links = re.findall(r'href="(/api/[^"]+)"', html)
    assert {link.split("?")[1] for link in links} >= {"format=csv", "format=json"}
    for link in links:
        response = admin_client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
        assert body(response)
    as_csv = admin_client.get(f"/api/fixtures/{fixture.id}/actions/?format=csv")
    assert as_csv["Content-Disposition"].startswith("attachment;")
    assert len(csv_rows(as_csv)) > 100

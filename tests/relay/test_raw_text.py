"""The log keeps each packet's text as it came, not only jsonb's reading of it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from django.db import connection

from streams.dde.messages import DataPacket, parse_frame
from streams.feed.writer import store_packets
from streams.models import Fixture, Packet

pytestmark = pytest.mark.django_db


def odd_frame(fixture_id: uuid.UUID) -> str:
    """Text jsonb would rewrite: key order, spacing, a number's spelling, non-ASCII, an escape."""
    action = (
        f'{{ "fixtureSeqNum" : 7, "actionId":"{uuid.uuid4()}", "fixtureId":"{fixture_id}",'
        ' "timelineSequence": 1.0E-16, "sendType":"Confirmed", "period":0,'
        ' "team": {"name": "Nyk\\u00f6bing FC", "id": "x"}, "clockTime":"00:00" }'
    )
    return f'{{"version":3,  "finished":false,\n "fixtureAction": {action}, "zeta": "é"}}'


def test_a_packet_is_stored_with_its_text_exactly_as_received(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()
    text = odd_frame(fixture.id)
    packet = parse_frame("\ufeff" + text)  # a byte-order mark is not part of the JSON
    assert isinstance(packet, DataPacket)
    store_packets(fixture.id, [packet])
    stored = Packet.objects.get(fixture=fixture)
    assert stored.raw == text
    assert stored.payload == json.loads(text)
    with connection.cursor() as cursor:
        table = Packet._meta.db_table
        cursor.execute(f"SELECT payload::text FROM {table} WHERE id = %s", [stored.pk])
        (normalised,) = cursor.fetchone()
    assert normalised != text  # why the text is kept: jsonb does not give it back

"""Streamed downloads: rows read through a server-side cursor, written chunk by chunk.

Under ASGI a ``StreamingHttpResponse`` over a synchronous iterator is read whole into
memory before the first byte is sent (DESIGN.md "Streams are async"). So an export is an
async generator on its own psycopg ``AsyncConnection``: one read-only transaction, one
named cursor fetched a chunk at a time, no thread hops, and Django's pool untouched. The
query is the view's filtered QuerySet, compiled by Django and bound client-side exactly as
Django would bind it. Memory stays at about one chunk whatever the size of the export.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from typing import Any

import orjson
import psycopg
from django.db import connections
from django.db.models import CharField, JSONField, Model, QuerySet, TextField
from django.http import StreamingHttpResponse
from psycopg.adapt import AdaptersMap, Buffer, Loader
from psycopg.types.datetime import TimestamptzLoader
from psycopg.types.string import TextLoader

from streams.conninfo import database_conninfo
from streams.models import Action

FORMATS = ("json", "csv", "ndjson")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
}
# Rows per fetch: about a megabyte of output, so few round trips and few ASGI sends.
CHUNK_ROWS = 2000

# The flat Action fields, in Action.to_payload() order: the JSON rows, NDJSON lines and CSV
# columns are the same shape as the websocket's and the pages'.
ACTION_COLUMNS: tuple[str, ...] = tuple(Action(action_id=uuid.UUID(int=0)).to_payload())
BULK_COLUMNS: tuple[str, ...] = ("fixture_id", *ACTION_COLUMNS)
PACKET_COLUMNS: tuple[str, ...] = (
    "position",
    "action_id",
    "fixture_seq_num",
    "received_at",
    "payload",
)

Rows = list[tuple[Any, ...]]
Encoder = Callable[[Rows], bytes]


class _JsonFragmentLoader(Loader):
    """jsonb as already-serialised JSON, copied into the output without a parse."""

    def load(self, data: Buffer) -> orjson.Fragment:
        return orjson.Fragment(bytes(data))


class _RawJsonLoader(Loader):
    def load(self, data: Buffer) -> bytes:
        return bytes(data)


class _CsvBoolLoader(Loader):
    def load(self, data: Buffer) -> str:
        return "true" if bytes(data) == b"t" else "false"


def _ndjson_types(adapters: AdaptersMap) -> None:
    adapters.register_loader("uuid", TextLoader)
    adapters.register_loader("jsonb", _JsonFragmentLoader)


def _csv_types(adapters: AdaptersMap) -> None:
    adapters.register_loader("uuid", TextLoader)
    adapters.register_loader("jsonb", TextLoader)
    adapters.register_loader("bool", _CsvBoolLoader)


def _raw_json_types(adapters: AdaptersMap) -> None:
    adapters.register_loader("jsonb", _RawJsonLoader)


def ndjson_encoder(columns: Sequence[str]) -> Encoder:
    def encode(rows: Rows) -> bytes:
        # orjson writes datetimes as isoformat() does and UUIDs as str() does.
        option = orjson.OPT_APPEND_NEWLINE
        return b"".join(
            [orjson.dumps(dict(zip(columns, row, strict=True)), option=option) for row in rows]
        )

    return encode


# A cell a spreadsheet would evaluate: OWASP's CSV Injection list of leading characters.
FORMULA_START = frozenset("=+-@\t\r")


def text_columns(model: type[Model], columns: Sequence[str]) -> list[str]:
    """The ``columns`` that hold free text (CharField, TextField): the cells that may carry
    a formula. Numbers, booleans, times, UUIDs and JSON text are written as they are."""
    return [
        name for name in columns if isinstance(model._meta.get_field(name), CharField | TextField)
    ]


def csv_encoder(columns: Sequence[str], *, text: Collection[str]) -> Encoder:
    """CSV cells: null is empty, booleans true/false, times ISO 8601, JSON as JSON text.

    A cell of a ``text`` column that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
    return gets a ``'`` in front, so a spreadsheet shows it as text instead of running it
    (docs/api.md). Other columns are never changed: ``-3`` in a numeric column is a number.
    """
    times = [i for i, name in enumerate(columns) if name in ("timestamp", "received_at")]
    texts = [i for i, name in enumerate(columns) if name in text]
    formula = FORMULA_START

    def encode(rows: Rows) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            cells = list(row)
            for i in times:
                if cells[i] is not None:
                    cells[i] = cells[i].isoformat()
            for i in texts:
                cell = cells[i]
                if cell and cell[0] in formula:
                    cells[i] = "'" + cell
            writer.writerow(cells)
        return buffer.getvalue().encode()

    return encode


def csv_header(columns: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(columns)
    return buffer.getvalue().encode()


def fetch_rows(
    queryset: QuerySet[Any], columns: Sequence[str], *, limit: int
) -> list[dict[str, Any]]:
    """Up to ``limit`` rows of ``columns`` as dicts, through Django's own connection (sync
    code, a pooled connection, the caller's transaction). JSON columns are left as the text
    Postgres sent, wrapped as orjson Fragments: no parse, and FastJSONRenderer copies them
    into the response as they are."""
    query = queryset.values_list(*columns)[:limit].query
    sql, params = query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        # Django's timestamptz loader is a Python subclass of psycopg's; psycopg's own
        # (in C) gives the same aware UTC datetimes ten times faster, which is half the
        # time of a page of 1,000 rows.
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    model = queryset.model
    json_columns = [name for name in columns if isinstance(model._meta.get_field(name), JSONField)]
    result = []
    for row in rows:
        item = dict(zip(columns, row, strict=True))
        for name in json_columns:
            item[name] = orjson.Fragment(item[name])
        result.append(item)
    return result


async def fetch_chunks(
    queryset: QuerySet[Any], columns: Sequence[str], types: Callable[[AdaptersMap], None]
) -> AsyncIterator[Rows]:
    """``columns`` of the queryset's rows, CHUNK_ROWS at a time, from one snapshot."""
    sql, params = queryset.values_list(*columns).query.sql_with_params()
    # No JIT: compiling the query's expressions cost 100-200 ms before the first row of a
    # million-row export, and the rows stream as fast without it.
    conninfo = database_conninfo(
        options="-c TimeZone=UTC -c jit=off", application_name="dde-api-export"
    )
    async with await psycopg.AsyncConnection.connect(conninfo) as conn:
        await conn.set_read_only(True)
        types(conn.adapters)
        query = psycopg.AsyncClientCursor(conn).mogrify(sql, params)
        async with conn.cursor(name="export") as cursor:
            await cursor.execute(query)
            while rows := await cursor.fetchmany(CHUNK_ROWS):
                yield rows


async def _table(queryset: QuerySet[Any], columns: Sequence[str], fmt: str) -> AsyncIterator[bytes]:
    if fmt == "csv":
        yield csv_header(columns)
        text = text_columns(queryset.model, columns)
        encode, types = csv_encoder(columns, text=text), _csv_types
    else:
        encode, types = ndjson_encoder(columns), _ndjson_types
    async for rows in fetch_chunks(queryset, columns, types):
        yield encode(rows)


async def _packet_payloads(queryset: QuerySet[Any], fmt: str) -> AsyncIterator[bytes]:
    """Payloads as stored: a bare JSON array (the vendor's REST shape) or one per line."""
    if fmt == "json":
        yield b"["
    separator = b"," if fmt == "json" else b"\n"
    first = True
    async for rows in fetch_chunks(queryset, ["payload"], _raw_json_types):
        chunk = separator.join(payload for (payload,) in rows)
        if fmt == "json":
            yield chunk if first else separator + chunk
        else:
            yield chunk + separator
        first = False
    if fmt == "json":
        yield b"]"


def table_response(
    queryset: QuerySet[Any], columns: Sequence[str], fmt: str, filename: str
) -> StreamingHttpResponse:
    """A download of ``columns`` of every row of ``queryset`` as CSV or NDJSON."""
    return _response(_table(queryset, columns, fmt), fmt, filename)


def packets_response(queryset: QuerySet[Any], fmt: str, filename: str) -> StreamingHttpResponse:
    """The packets of ``queryset`` in order: JSON array, NDJSON, or CSV with their keys."""
    if fmt == "csv":
        return table_response(queryset, PACKET_COLUMNS, fmt, filename)
    return _response(_packet_payloads(queryset, fmt), fmt, filename)


def _response(body: AsyncIterator[bytes], fmt: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if fmt == "json" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}.{fmt}"'
    return response

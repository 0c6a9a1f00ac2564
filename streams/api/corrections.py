"""``/api/corrections/``: the corrections audit (``streams.reconcile.corrections``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpResponse, HttpResponseBase, QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from streams.api import export
from streams.api.serializers import ErrorSerializer
from streams.reconcile.corrections import COLUMNS, KINDS, TEXT_COLUMNS, Correction, corrections

FORMATS = ("json", "csv")
PARAMETERS = {"from", "to", "kind", "fixture", "format"}


class CorrectionSerializer(serializers.Serializer[Any]):
    """One correction (docs/api.md "Corrections"); the data is ``Correction.to_payload()``."""

    fixture_id = serializers.UUIDField()
    fixture = serializers.CharField()
    action_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=KINDS)
    position = serializers.IntegerField(help_text="The correcting packet's position.")
    fixture_seq_num = serializers.IntegerField(allow_null=True)
    send_type = serializers.CharField()
    period = serializers.IntegerField(allow_null=True)
    clock_time = serializers.CharField(allow_null=True)
    type_before = serializers.CharField()
    type_after = serializers.CharField()
    player_before = serializers.CharField()
    player_after = serializers.CharField()
    first_position = serializers.IntegerField(help_text="The action's first packet.")
    first_reported_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    corrected_at = serializers.DateTimeField()
    seconds_to_confirmation = serializers.FloatField(allow_null=True)
    seconds_to_correction = serializers.FloatField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return instance.to_payload()  # type: ignore[no-any-return]


def _date(params: QueryDict, name: str, errors: dict[str, list[str]]) -> dt.date | None:
    raw = params.get(name)
    if not raw:
        errors[name] = ["Required: a date, YYYY-MM-DD (UTC)."]
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = ["A date, YYYY-MM-DD (UTC)."]
        return None


def parse_query(params: QueryDict) -> dict[str, Any]:
    """The cleaned parameters; a 400 naming every wrong one (ValidationError)."""
    errors: dict[str, list[str]] = {
        name: ["Unknown parameter."] for name in sorted(set(params) - PARAMETERS)
    }
    date_from, date_to = _date(params, "from", errors), _date(params, "to", errors)
    kinds = params.getlist("kind")
    if unknown := [k for k in kinds if k not in KINDS]:
        errors["kind"] = [f"Unknown kind {unknown[0]!r}; one of: {', '.join(KINDS)}."]
    fixture_id = None
    if "fixture" in params:
        try:
            fixture_id = uuid.UUID(params.get("fixture", ""))
        except ValueError:
            errors["fixture"] = ["Not a UUID."]
    fmt = params.get("format", "json")
    if fmt not in FORMATS:
        errors["format"] = [f"One of: {', '.join(FORMATS)}."]
    if errors:
        raise ValidationError(errors)
    return {
        "date_from": date_from,
        "date_to": date_to,
        "kinds": kinds or list(KINDS),
        "fixture_id": fixture_id,
        "format": fmt,
    }


def csv_body(found: list[Correction]) -> bytes:
    """The header and a row per correction; text cells that look like formulas neutralised
    as in every other export (``export.csv_encoder``)."""
    encode = export.csv_encoder(COLUMNS, text=TEXT_COLUMNS)
    rows = [tuple(c.to_payload()[name] for name in COLUMNS) for c in found]
    return export.csv_header(COLUMNS) + encode(rows)


def csv_response(found: list[Correction], filename: str) -> HttpResponse:
    response = HttpResponse(csv_body(found), content_type=export.CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def filename(query: dict[str, Any]) -> str:
    return f"corrections-{query['date_from']}-to-{query['date_to']}"


def _parameter(name: str, kind: Any, description: str, **extra: Any) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **extra)


class Corrections(APIView):
    @extend_schema(
        summary="Every correction across fixtures in a date range",
        description=(
            "Cancelled, deleted, restored, type changed and player changed actions, derived "
            "from the packet log, with the time from first report to confirmation and to "
            "correction. Not paged; a range that ends before it starts is empty."
        ),
        parameters=[
            _parameter(
                "from", OpenApiTypes.DATE, "Corrections on or after this date (UTC).", required=True
            ),
            _parameter(
                "to", OpenApiTypes.DATE, "Corrections on or before this date (UTC).", required=True
            ),
            _parameter(
                "kind",
                OpenApiTypes.STR,
                "Only these kinds (repeat it for more than one).",
                enum=list(KINDS),
                many=True,
            ),
            _parameter("fixture", OpenApiTypes.UUID, "Only this fixture."),
            _parameter(
                "format",
                OpenApiTypes.STR,
                "json (default) or csv (a download).",
                enum=list(FORMATS),
            ),
        ],
        responses={
            (200, export.CONTENT_TYPES["json"]): CorrectionSerializer(many=True),
            (200, export.CONTENT_TYPES["csv"]): OpenApiResponse(
                OpenApiTypes.STR, description="CSV with a header row (columns in docs/api.md)."
            ),
            400: OpenApiResponse(ErrorSerializer, description="A parameter is wrong."),
            401: OpenApiResponse(ErrorSerializer, description="No token, or a revoked one."),
            403: OpenApiResponse(ErrorSerializer, description="Signed in, but not staff."),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        query = parse_query(request.query_params)
        found = corrections(
            query["date_from"],
            query["date_to"],
            kinds=query["kinds"],
            fixture_id=query["fixture_id"],
        )
        if query["format"] == "csv":
            return csv_response(found, filename(query))
        return Response(CorrectionSerializer(found, many=True).data)

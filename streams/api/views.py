"""API views: parse and check the request, run one filtered query, shape or stream the answer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from streams.api import export
from streams.api import schema as _schema  # noqa: F401  (registers the token scheme)
from streams.api.filters import BulkActionFilter, FixtureActionFilter, FixtureFilter, PacketFilter
from streams.api.pagination import CURSOR, PAGE_SIZE, KeysetPagination, page_size
from streams.api.serializers import (
    ActionSerializer,
    BulkActionSerializer,
    ErrorSerializer,
    FixtureDetailSerializer,
    FixtureSerializer,
)
from streams.models import Action, Fixture, Packet

FORMAT = "format"
JSON = export.CONTENT_TYPES["json"]
FIXTURE_ID = "fixture_id"

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is wrong; its name is the key."),
    401: OpenApiResponse(ErrorSerializer, description="No token, or an unknown or revoked one."),
    403: OpenApiResponse(ErrorSerializer, description="Signed in, but not staff."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests: see Retry-After."),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="No fixture with this id.")}
FIXTURE_PARAMETER = OpenApiParameter(
    FIXTURE_ID, OpenApiTypes.UUID, OpenApiParameter.PATH, description="The DDE fixture id."
)
STREAMED = {
    (200, export.CONTENT_TYPES["csv"]): OpenApiResponse(
        OpenApiTypes.STR, description="CSV with a header row (columns in docs/api.md)."
    ),
    (200, export.CONTENT_TYPES["ndjson"]): OpenApiResponse(
        OpenApiTypes.STR, description="One JSON object per line."
    ),
}


PAGED_OR_STREAMED = (
    "json (default): paged; csv or ndjson: the whole result, streamed as a download."
)


def format_parameter(description: str, *formats: str) -> OpenApiParameter:
    return OpenApiParameter(FORMAT, OpenApiTypes.STR, enum=list(formats), description=description)


def requested_format(request: Request, allowed: tuple[str, ...] = export.FORMATS) -> str:
    value = request.query_params.get(FORMAT, "json")
    if value not in allowed:
        raise ValidationError({FORMAT: [f"One of: {', '.join(allowed)}."]})
    return value


def unknown_parameters(request: Request, known: set[str]) -> dict[str, list[str]]:
    # A misspelt filter would otherwise be ignored, and a bulk export export everything.
    unknown = sorted(set(request.query_params) - known - {FORMAT})
    return {name: ["Unknown parameter."] for name in unknown}


def fixture_or_404(raw_id: str) -> Fixture:
    # The URL takes any text, so a malformed id gets a 400 that names it, not a bare 404.
    try:
        fixture_id = uuid.UUID(raw_id)
    except ValueError:
        raise ValidationError({FIXTURE_ID: ["Not a UUID."]}) from None
    fixture = Fixture.objects.filter(pk=fixture_id).first()
    if fixture is None:
        raise NotFound("No fixture with this id.")
    return fixture


class FilteredView(GenericAPIView[Any]):
    # Filters come from ``filterset_class``, which also documents them; pages are keyset.

    filter_backends = [DjangoFilterBackend]
    pagination_class: type[BasePagination] | None = KeysetPagination

    def filtered(self, queryset: QuerySet[Any]) -> tuple[QuerySet[Any], dict[str, Any]]:
        """The filtered, ordered queryset and the cleaned parameters; 400 on a bad one."""
        filterset = DjangoFilterBackend().get_filterset(self.request, queryset, self)
        known = set(filterset.filters)
        if self.pagination_class is not None:
            known |= {CURSOR, PAGE_SIZE}
        errors = unknown_parameters(self.request, known)
        if self.pagination_class is not None:
            # Checked whatever the format: a CSV download ignores it, but a bad value is
            # still a mistake worth naming.
            try:
                page_size(self.request)
            except ValidationError as exc:
                errors.update(cast(dict[str, Any], exc.detail))
        if not filterset.is_valid():
            errors.update(filterset.errors)
        if errors:
            raise ValidationError(errors)
        return filterset.qs, filterset.form.cleaned_data

    def page(self, queryset: QuerySet[Any]) -> Response:
        """A page of model instances shaped by the serializer (their ``to_payload()``)."""
        rows = self.paginate_queryset(queryset)
        assert rows is not None
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def page_of_rows(self, queryset: QuerySet[Any], columns: Sequence[str]) -> Response:
        """A page of plain rows, the same as the NDJSON lines (the serializer only documents
        them): the actions endpoints' thousand-row pages are read without model instances."""
        assert isinstance(self.paginator, KeysetPagination)
        rows = self.paginator.paginate_rows(queryset, self.request, columns)
        return self.get_paginated_response(rows)


class FixtureList(FilteredView):
    queryset = Fixture.objects.all()
    serializer_class = FixtureSerializer
    filterset_class = FixtureFilter

    @extend_schema(
        summary="Fixtures, latest kick-off first",
        parameters=[format_parameter("json, the only format here.", "json")],
        responses={200: FixtureSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        requested_format(request, ("json",))
        queryset, _ = self.filtered(Fixture.objects.all())
        return self.page(queryset)


class FixtureDetail(GenericAPIView[Fixture]):
    serializer_class = FixtureDetailSerializer

    @extend_schema(
        summary="One fixture: summary, period scores, counts",
        parameters=[FIXTURE_PARAMETER, format_parameter("json, the only format here.", "json")],
        responses={200: FixtureDetailSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, fixture_id: str) -> Response:
        requested_format(request, ("json",))
        if errors := unknown_parameters(request, set()):
            raise ValidationError(errors)
        return Response(FixtureDetailSerializer(fixture_or_404(fixture_id)).data)


class FixtureActions(FilteredView):
    queryset = Action.objects.all()
    serializer_class = ActionSerializer
    filterset_class = FixtureActionFilter

    @extend_schema(
        summary="A fixture's actions in their current state",
        parameters=[FIXTURE_PARAMETER, format_parameter(PAGED_OR_STREAMED, *export.FORMATS)],
        responses={
            (200, JSON): ActionSerializer(many=True),
            **STREAMED,
            **ERRORS,
            **NOT_FOUND,
        },
    )
    def get(self, request: Request, fixture_id: str) -> HttpResponseBase:
        fmt = requested_format(request)
        queryset, _ = self.filtered(Action.objects.all())
        fixture = fixture_or_404(fixture_id)
        queryset = queryset.filter(fixture=fixture)
        if fmt != "json":
            name = f"actions-{fixture.pk}"
            return export.table_response(queryset, export.ACTION_COLUMNS, fmt, name)
        return self.page_of_rows(queryset, export.ACTION_COLUMNS)


class FixturePackets(FilteredView):
    queryset = Packet.objects.all()
    filterset_class = PacketFilter
    pagination_class = None

    @extend_schema(
        summary="A fixture's packets exactly as received, in order",
        description="format=json is the same bare array as the vendor's REST actions endpoint.",
        parameters=[
            FIXTURE_PARAMETER,
            format_parameter(
                "json (default): one array; ndjson: a packet a line; csv: with their keys.",
                *export.FORMATS,
            ),
        ],
        filters=True,
        responses={
            (200, JSON): OpenApiResponse(
                {"type": "array", "items": {"type": "object", "additionalProperties": True}},
                description="The packets as the feed sent them.",
            ),
            **STREAMED,
            **ERRORS,
            **NOT_FOUND,
        },
    )
    def get(self, request: Request, fixture_id: str) -> HttpResponseBase:
        fmt = requested_format(request)
        queryset, _ = self.filtered(Packet.objects.all())
        fixture = fixture_or_404(fixture_id)
        queryset = queryset.filter(fixture=fixture).order_by("position")
        return export.packets_response(queryset, fmt, f"packets-{fixture.pk}")


class BulkActions(FilteredView):
    queryset = Action.objects.all()
    serializer_class = BulkActionSerializer
    filterset_class = BulkActionFilter

    @extend_schema(
        summary="Actions of every fixture kicking off in a date range",
        description="Grouped by fixture, each fixture's in the order they last changed.",
        parameters=[format_parameter(PAGED_OR_STREAMED, *export.FORMATS)],
        responses={(200, JSON): BulkActionSerializer(many=True), **STREAMED, **ERRORS},
    )
    def get(self, request: Request) -> HttpResponseBase:
        fmt = requested_format(request)
        queryset, params = self.filtered(Action.objects.all())
        if fmt != "json":
            name = f"actions-{params['kickoff_from']}-to-{params['kickoff_to']}"
            return export.table_response(queryset, export.BULK_COLUMNS, fmt, name)
        return self.page_of_rows(queryset, export.BULK_COLUMNS)

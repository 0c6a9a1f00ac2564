"""API URLs, mounted at /api/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from streams.api import corrections, views

urlpatterns = [
    path("fixtures/", views.FixtureList.as_view(), name="api-fixtures"),
    # Any text is taken as the id so a malformed one gets a 400 naming fixture_id.
    path("fixtures/<str:fixture_id>/", views.FixtureDetail.as_view(), name="api-fixture"),
    path(
        "fixtures/<str:fixture_id>/actions/",
        views.FixtureActions.as_view(),
        name="api-fixture-actions",
    ),
    path(
        "fixtures/<str:fixture_id>/packets/",
        views.FixturePackets.as_view(),
        name="api-fixture-packets",
    ),
    path("actions/", views.BulkActions.as_view(), name="api-actions"),
    path("corrections/", corrections.Corrections.as_view(), name="api-corrections"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script as a file: the CSP refuses inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

"""Page URLs: the fixture list and the match centre."""

from django.urls import path

from streams import views
from streams.reconcile.views import corrections_page

urlpatterns = [
    path("", views.fixture_list, name="fixtures"),
    path("fixtures/<uuid:fixture_id>/", views.fixture_detail, name="fixture"),
    path("fixtures/<uuid:fixture_id>/actions/", views.fixture_actions, name="fixture-actions"),
    path("staff/corrections/", corrections_page, name="staff-corrections"),
]

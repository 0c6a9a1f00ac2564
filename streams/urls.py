"""Page URLs: the fixture list, the match centre, the favicon."""

from django.urls import path

from streams import views
from streams.favicon import favicon
from streams.reconcile.views import corrections_page

urlpatterns = [
    path("", views.fixture_list, name="fixtures"),
    path("fixtures/<uuid:fixture_id>/", views.fixture_detail, name="fixture"),
    path("fixtures/<uuid:fixture_id>/actions/", views.fixture_actions, name="fixture-actions"),
    path("favicon.ico", favicon, name="favicon"),
    path("staff/corrections/", corrections_page, name="staff-corrections"),
]

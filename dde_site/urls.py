"""URL roots."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("streams.api.urls")),
    path("", include("streams.ops.urls")),
    path("", include("streams.urls")),
]

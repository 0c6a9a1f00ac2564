"""URL roots."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("streams.api.urls")),
    path("", include("streams.ops.urls")),
    path("", include("streams.urls")),
]

# JSON under /api/, Django's HTML pages elsewhere (with DEBUG off; dde_site/errors.py).
handler400 = "dde_site.errors.bad_request"
handler403 = "dde_site.errors.permission_denied"
handler404 = "dde_site.errors.page_not_found"
handler500 = "dde_site.errors.server_error"

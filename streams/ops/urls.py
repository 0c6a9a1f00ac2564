"""Operational URLs, mounted at the site root."""

from django.urls import path

from streams.ops import views

urlpatterns = [
    path("livez", views.livez, name="livez"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
]

"""URL routes of the benchmark server: the portal's routes plus the plain comparison view."""

from django.urls import include, path

from bench.plain_view import legal_requests_plain

urlpatterns = [
    path("bench/plain/", legal_requests_plain, name="bench-plain"),
    path("", include("portal.urls")),
]

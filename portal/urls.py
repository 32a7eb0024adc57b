"""URL routes of the portal (HTTP); WebSocket routes are in portal/asgi.py."""

from django.contrib import admin
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from portal.graphql.schema import schema
from portal.graphql.views import PortalGraphQLView
from portal.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql/", csrf_exempt(PortalGraphQLView.as_view(schema=schema))),
    path("healthz", healthz, name="healthz"),
]

"""URL routes of the portal (HTTP); WebSocket routes are in portal/asgi.py."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from core.health import healthz
from core.metrics import metrics_view
from portal import views
from portal.graphql.schema import schema
from portal.graphql.views import PortalGraphQLView

urlpatterns = [
    # admin.site is core.admin_site.StaffAdminSite: its login sends staff through allauth.
    path("admin/", admin.site.urls),
    # Sign-in for staff and members (core/signin.py): password, then TOTP or WebAuthn;
    # /accounts/2fa/ enrols the factors.
    path("accounts/", include("allauth.urls")),
    # csrf_exempt is safe here: the endpoint authenticates only by the Authorization header
    # (never by cookie, see PortalGraphQLView), which a cross-site form cannot send. That is
    # also why multipart uploads (legal documents) may be enabled: strawberry refuses them by
    # default only because they bypass its CSRF-preflight defence for cookie-authenticated APIs.
    path(
        "graphql/",
        csrf_exempt(PortalGraphQLView.as_view(schema=schema, multipart_uploads_enabled=True)),
    ),
    path("healthz", healthz, name="healthz"),
    # The members' console (console/): sign-in with a second factor, requests, administration.
    path("console/", include("console.urls")),
    path("", views.front_door, name="front-door"),
    path("docs/integration/", views.integration_guide, name="integration-guide"),
    path("language/<str:code>/", views.language_choose, name="language-choose"),
    # Prometheus figures, for staff and the scraper's bearer token only (core/metrics.py).
    path("metrics", metrics_view, name="metrics"),
    path("", include("liaison.urls")),
    path("", include("switchboard.urls")),
    path("", include("hotline.urls")),
    path("", include("transparency.urls")),
]

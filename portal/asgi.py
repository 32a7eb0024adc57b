"""ASGI entry point: Django for HTTP, GraphQL subscriptions for WebSocket on /graphql/."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL  # noqa: E402

from core.asgi import session_user_stack  # noqa: E402
from core.graphql.origin import OriginPolicyMiddleware  # noqa: E402
from portal.graphql.consumers import PortalGraphQLWSConsumer  # noqa: E402
from portal.graphql.schema import schema  # noqa: E402
from portal.guards import guarded  # noqa: E402
from portal.staticfiles import SecureStaticFilesHandler  # noqa: E402
from switchboard.routing import websocket_urlpatterns as hotline_websocket_urlpatterns  # noqa: E402

websocket_urlpatterns = [
    re_path(
        r"^graphql/?$",
        PortalGraphQLWSConsumer.as_asgi(
            schema=schema, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,)
        ),
    ),
    *hotline_websocket_urlpatterns,
]

application = ProtocolTypeRouter(
    {
        # /static/ (the admin's and the hotline page's files) from the apps' static folders:
        # the portal runs without a separate file server. Bodies are bounded, and uploads
        # authenticated, before Django reads them (portal/guards.py).
        "http": guarded(SecureStaticFilesHandler(django_asgi_app)),
        "websocket": OriginPolicyMiddleware(session_user_stack(URLRouter(websocket_urlpatterns))),
    }
)

# Everything loaded so far (Django, the apps, the schema) lives as long as the process: moved out
# of the collector's generations, so that a full collection, which a large response's allocations
# trigger, no longer walks it (the year query's p99: docs/benchmarks.md, "Transparency").
gc.freeze()

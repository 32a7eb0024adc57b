"""WebSocket routes of the hotline app (mounted by portal/asgi.py)."""

from django.urls import re_path

from switchboard.consumers import StaffTicketsConsumer

websocket_urlpatterns = [
    re_path(r"^ws/staff/tickets/?$", StaffTicketsConsumer.as_asgi()),
]

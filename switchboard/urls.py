"""Public HTTP routes of the switchboard: the routing guide."""

from django.urls import path

from switchboard.views import routing_guide_page

urlpatterns = [
    path("guide/", routing_guide_page, name="routing-guide"),
]

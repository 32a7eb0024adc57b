"""Public HTTP routes of the hotline app."""

from django.urls import path

from hotline.views import routing_guide_page

urlpatterns = [
    path("guide/", routing_guide_page, name="routing-guide"),
]

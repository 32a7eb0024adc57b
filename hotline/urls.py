"""Public HTTP routes of the hotline app: the routing guide and the hotline chat page."""

from django.urls import path

from hotline.chat.pages import hotline_page
from hotline.views import routing_guide_page

urlpatterns = [
    path("guide/", routing_guide_page, name="routing-guide"),
    path("hotline/", hotline_page, name="hotline-chat"),
]

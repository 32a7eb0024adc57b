"""Public HTTP routes of the hotline app: the hotline chat page."""

from django.urls import path

from hotline.views import hotline_page

urlpatterns = [
    path("hotline/", hotline_page, name="hotline-chat"),
]

"""HTTP routes of the liaison app (mounted at the site root by portal/urls.py)."""

from django.urls import path

from liaison import views

app_name = "liaison"

urlpatterns = [
    path(".well-known/liaison-signing-key", views.signing_key_view, name="signing-key"),
    path(
        "legal-documents/<uuid:document_id>",
        views.legal_document_download_view,
        name="legal-document-download",
    ),
]

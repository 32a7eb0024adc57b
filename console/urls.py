"""HTTP routes of the console (mounted at /console/ by portal/urls.py)."""

from django.urls import path

from console import views

app_name = "console"

urlpatterns = [
    path("", views.request_list_view, name="home"),
    path("requests/new/", views.request_submit_view, name="request-new"),
    path("requests/<str:request_id>/", views.request_detail_view, name="request"),
    path("requests/<str:request_id>/answer/", views.request_answer_view, name="request-answer"),
    path(
        "requests/<str:request_id>/withdraw/", views.request_withdraw_view, name="request-withdraw"
    ),
    path(
        "requests/<str:request_id>/preservation/extend/",
        views.request_preservation_extend_view,
        name="request-preservation-extend",
    ),
    path("requests/<str:request_id>/correct/", views.request_correct_view, name="request-correct"),
    path(
        "requests/<str:request_id>/non-disclosure/",
        views.request_nondisclosure_view,
        name="request-nondisclosure",
    ),
    path(
        "requests/<str:request_id>/documents/",
        views.request_document_view,
        name="request-document",
    ),
    path(
        "requests/<str:request_id>/package.json",
        views.package_download_view,
        {"fmt": "json"},
        name="package-json",
    ),
    path(
        "requests/<str:request_id>/package.json.sig",
        views.package_download_view,
        {"fmt": "sig"},
        name="package-sig",
    ),
    path(
        "requests/<str:request_id>/package.csv",
        views.package_download_view,
        {"fmt": "csv"},
        name="package-csv",
    ),
    path("documents/<uuid:document_id>/", views.document_download_view, name="document"),
    path("tokens/", views.token_list_view, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token-revoke"),
    path("members/", views.member_list_view, name="members"),
    path("members/<int:membership_id>/", views.member_change_view, name="member-change"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation-accept"),
    path("settings/", views.settings_view, name="settings"),
    path("statistics/", views.statistics_view, name="statistics"),
    path("request-access/", views.request_access_view, name="request-access"),
    path("request-access/sent/", views.request_access_sent_view, name="request-access-sent"),
]

"""Public HTTP routes of the transparency app: the page, the signed daily reports, exports."""

from django.urls import path, register_converter

from transparency import views


class IsoDateConverter:
    """YYYY-MM-DD in the path (the view refuses an impossible date with 404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    path("transparency/", views.transparency_page, name="transparency"),
    path(
        "transparency/reports/<isodate:day>.json",
        views.daily_report_json,
        name="transparency-daily-report",
    ),
    path("transparency/exports/dsa-orders.csv", views.dsa_orders_csv_view, name="dsa-orders"),
    path("transparency/exports/tco-<int:year>.json", views.tco_report_json, name="tco-report-json"),
    path("transparency/exports/tco-<int:year>.csv", views.tco_report_csv, name="tco-report-csv"),
]

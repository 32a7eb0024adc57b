"""The case tool's app config: it puts the dashboard on the staff admin's index page."""

from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    """Staff work a case from one page (casework/admin.py)."""

    name = "casework"
    verbose_name = "Casework"

    def ready(self) -> None:
        from django.contrib import admin

        # The hook that puts the dashboard (casework.selectors.dashboard_get) on the index of
        # core's staff site: the site stays core's, the numbers come from the floor above.
        admin.site.index_template = "admin/casework/index.html"

"""App configs of the ground floor: core (the outbox's tables, the sign-in signals) and the
staff admin."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    """The transactional outbox and its dead letters."""

    name = "core"
    verbose_name = "Platform (delivery, staff profiles)"

    def ready(self) -> None:
        from core import signin  # noqa: F401 (connects its allauth signal receivers)


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the staff site of core.admin_site as `admin.site`: every app's
    `@admin.register` lands on the site that demands the second factor. Named in
    INSTALLED_APPS instead of "django.contrib.admin"."""

    default = False  # not core's own config
    default_site = "core.admin_site.StaffAdminSite"

    def ready(self) -> None:
        super().ready()
        from core import admin_times

        admin_times.install()  # every moment in UTC and the staff member's own zone

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiedao.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib import admin

        from jiedao.core import checks  # noqa: F401  (registers the system checks)

        admin.site.site_header = _("jiedao administration")
        admin.site.site_title = _("jiedao administration")
        admin.site.index_title = _("Configuration: places, units, users and roles")

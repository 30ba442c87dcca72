from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """The office's KPIs: read-only selectors over the cases, no models of its own."""

    name = "jiedao.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from jiedao.analytics import checks  # noqa: F401  (registers the system checks)

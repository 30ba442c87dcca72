from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """The office's KPIs: selectors over the cases, and the daily rollups the dashboard reads."""

    name = "jiedao.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from jiedao.analytics import checks, signals  # noqa: F401  (registers the system checks and receivers)

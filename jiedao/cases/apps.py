from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jiedao.cases"
    label = "cases"
    verbose_name = _("Demands and work orders")

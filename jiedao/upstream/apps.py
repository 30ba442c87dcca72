from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpstreamConfig(AppConfig):
    name = "jiedao.upstream"
    label = "upstream"
    verbose_name = _("12345 platform")

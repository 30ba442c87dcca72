from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "jiedao.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.test.signals import setting_changed

        from jiedao.notifications import channels, checks  # noqa: F401  (registers the system checks)

        setting_changed.connect(channels.reload_on_setting_change, dispatch_uid="notifications-channels")

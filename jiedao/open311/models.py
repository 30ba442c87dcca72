"""What Open311 adds to a case it registered: the client's token, the source, the client's media URL."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmittedRequest(models.Model):
    """A case registered through POST requests: GET tokens/{token} and the media_url of GET requests read it."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="open311_request"
    )
    source = models.ForeignKey(
        "integrations.Source", verbose_name=_("order source"), on_delete=models.PROTECT, related_name="+"
    )
    token = models.CharField(_("token"), max_length=32, unique=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    account_id = models.CharField(_("client account id"), max_length=100, blank=True)
    device_id = models.CharField(_("client device id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.token

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jiedao.accounts import lockout
from jiedao.audit.services import client_ip


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed logins. This account is locked for %(minutes)d minutes."),
    }

    def clean(self) -> dict[str, object]:
        username = self.cleaned_data.get("username")
        if username and lockout.is_locked(username=username, ip=client_ip(self.request)):
            # Said before checking the password, so a locked account gives no hint whether a guess was right.
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": settings.LOGIN_LOCKOUT_MINUTES}
            )
        return super().clean()

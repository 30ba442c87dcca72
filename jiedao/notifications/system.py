"""The account automatic actions are taken by (the warning job's 督办 and escalations)."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from jiedao.accounts.models import User

SYSTEM_USERNAME = "jiedao-system"


def system_user() -> User:
    """The system account, created on first use: a superuser nobody can log in as (unusable password).

    A superuser's scope covers every case, so the case services accept its automatic actions; its name on the
    case history says the system acted. An administrator who deactivates it stops the automatic actions
    (they then fail and are logged); the warnings themselves still go out.
    """
    found: tuple[User, bool] = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "full_name": _("System"),
            "is_superuser": True,
            "is_staff": False,
            "is_active": True,
            "password": make_password(None),
        },
    )
    return found[0]

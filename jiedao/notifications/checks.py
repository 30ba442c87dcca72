"""System check: every configured outbound channel loads, so a typo fails at start-up, not at the first warning."""

from __future__ import annotations

import re
from typing import Any

from django.core.checks import Error, register

from jiedao.notifications import channels
from jiedao.notifications.choices import INAPP

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@register()
def check_channels(app_configs: Any, **kwargs: Any) -> list[Error]:
    problems: list[Error] = []
    for name, path in channels.configured().items():
        if name == INAPP or not NAME.match(name):
            problems.append(
                Error(
                    f"NOTIFICATION_CHANNELS: {name!r} is not a usable channel name.",
                    hint=f"Use a short lower-case slug other than {INAPP!r} (the in-app centre is always on).",
                    id="notifications.E002",
                )
            )
            continue
        try:
            channels.load(name, str(path))
        except (ImportError, TypeError, ValueError) as exc:
            problems.append(
                Error(
                    f"NOTIFICATION_CHANNELS[{name!r}] = {path!r} cannot be used: {exc}",
                    hint="Give the dotted path of a class taking name= and implementing send(); e.g. "
                    "jiedao.notifications.channels.FileChannel.",
                    id="notifications.E001",
                )
            )
    path = channels.resident_configured()
    if path:
        try:
            channels.load_resident(path)
        except (ImportError, TypeError, ValueError) as exc:
            problems.append(
                Error(
                    f"RESIDENT_SMS_CHANNEL = {path!r} cannot be used: {exc}",
                    hint="Give the dotted path of a class taking name= and implementing send_to_phone(); e.g. "
                    "jiedao.notifications.channels.FileResidentSms, or leave it empty to send residents nothing.",
                    id="notifications.E003",
                )
            )
    return problems

"""Outbound channels behind one interface, configured by name in settings.NOTIFICATION_CHANNELS.

settings.NOTIFICATION_CHANNELS maps a channel name ("sms", "wecom") to the dotted path of a class taking
`name=` and implementing Channel. The classes are loaded once per process (and again when a test overrides
the setting); the system check notifications.E001 refuses a path that does not load at start-up.

Messages to residents go to a phone number, not to a user: settings.RESIDENT_SMS_CHANNEL is the dotted path of
a class taking `name=` and implementing ResidentChannel (empty: residents are not sent messages); the system
check notifications.E003 refuses a path that does not load.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from jiedao.core.masking import mask_phone
from jiedao.notifications.choices import INAPP

logger = logging.getLogger(__name__)

# Channels that may carry no resident personal data (PIPL, minimum necessary): an SMS crosses the operator's
# network and stays on a phone, so it says only what the notification is about (kind, case number and title).
MINIMAL_CHANNELS = frozenset({"sms"})


@runtime_checkable
class Channel(Protocol):
    name: str

    def send(self, *, recipient: Any, title: str, body: str, url: str) -> None:
        """Send one message to `recipient` (a user); raise on failure, the task records it."""


class ConsoleChannel:
    """Logs one line per message: for development and for deployments without a gateway."""

    def __init__(self, *, name: str) -> None:
        self.name = name

    def send(self, *, recipient: Any, title: str, body: str, url: str) -> None:
        logger.info("notification via %s to user %s: %s | %s | %s", self.name, recipient.pk, title, body, url)


class FileChannel:
    """Appends one JSON line per message to VAR_DIR/outbox/<name>.jsonl, for a gateway or a person to pick up.

    The line names the recipient by id and username only: the outbox is a plain file, so it holds no phone.
    """

    _lock = threading.Lock()

    def __init__(self, *, name: str) -> None:
        self.name = name

    def send(self, *, recipient: Any, title: str, body: str, url: str) -> None:
        outbox = settings.VAR_DIR / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "channel": self.name,
                "user_id": recipient.pk,
                "username": recipient.get_username(),
                "title": title,
                "body": body,
                "url": url,
            },
            ensure_ascii=False,
        )
        # One write of one line in append mode: lines of concurrent writers do not interleave.
        with self._lock, (outbox / f"{self.name}.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


@runtime_checkable
class ResidentChannel(Protocol):
    name: str

    def send_to_phone(self, *, phone: str, body: str) -> None:
        """Send one short message to a phone number; raise on failure, the task records it."""


def _last4(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-4:]


class ConsoleResidentSms:
    """Logs one line per message to a resident, the phone masked: logs are kept and copied, phones are not."""

    def __init__(self, *, name: str) -> None:
        self.name = name

    def send_to_phone(self, *, phone: str, body: str) -> None:
        logger.info("resident message via %s to %s: %s", self.name, mask_phone(phone), body)


class FileResidentSms:
    """Appends one JSON line per message to VAR_DIR/outbox/<name>.jsonl.

    The line names the phone by its last four digits only: the outbox is a plain file, and the full number
    stays in the case's encrypted field. A real gateway reads the phone it is given, never this file.
    """

    _lock = threading.Lock()

    def __init__(self, *, name: str) -> None:
        self.name = name

    def send_to_phone(self, *, phone: str, body: str) -> None:
        outbox = settings.VAR_DIR / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "channel": self.name, "phone_last4": _last4(phone), "body": body},
            ensure_ascii=False,
        )
        with self._lock, (outbox / f"{self.name}.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


# The name a resident channel is built with (and its outbox file's name).
RESIDENT_SMS = "resident_sms"


def resident_configured() -> str:
    """The dotted path of this deployment's channel to residents' phones; empty when there is none."""
    return str(getattr(settings, "RESIDENT_SMS_CHANNEL", "") or "")


def load_resident(path: str) -> ResidentChannel:
    """Import and build the resident channel; raises ImportError or TypeError when the path is not usable."""
    factory = import_string(path)
    channel = factory(name=RESIDENT_SMS)
    if not isinstance(channel, ResidentChannel):
        raise TypeError(f"{path} does not build a resident channel with a name and send_to_phone()")
    return channel


@functools.cache
def resident() -> ResidentChannel | None:
    """The channel to residents' phones, built once per process; None when the deployment has none."""
    path = resident_configured()
    return load_resident(path) if path else None


def configured() -> dict[str, str]:
    """The outbound channels of this deployment: name → dotted path."""
    value: dict[str, str] = getattr(settings, "NOTIFICATION_CHANNELS", {})
    return dict(value)


def load(name: str, path: str) -> Channel:
    """Import and build one channel; raises ImportError or TypeError when the path is not a usable channel."""
    factory = import_string(path)
    channel = factory(name=name)
    if not isinstance(channel, Channel):
        raise TypeError(f"{path} does not build a channel with a name and send()")
    return channel


@functools.cache
def registry() -> dict[str, Channel]:
    """Every configured outbound channel, built once per process."""
    return {name: load(name, path) for name, path in configured().items() if name != INAPP}


def get(name: str) -> Channel | None:
    return registry().get(name)


def reload_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting == "NOTIFICATION_CHANNELS":
        registry.cache_clear()
    if setting == "RESIDENT_SMS_CHANNEL":
        resident.cache_clear()

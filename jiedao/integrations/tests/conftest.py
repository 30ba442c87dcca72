"""Sources, a frozen clock and a real HTTP receiver for the webhook tests."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from conftest import _persona
from jiedao.accounts.choices import Role
from jiedao.cases.choices import Channel
from jiedao.core import clock
from jiedao.integrations.choices import SourceKind
from jiedao.integrations.services import source_create

SHANGHAI = ZoneInfo("Asia/Shanghai")


class FrozenClock:
    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **kwargs: float) -> dt.datetime:
        self.moment += dt.timedelta(**kwargs)
        return self.moment


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """Monday 2026-11-23 10:00:30 in Shanghai (half a minute into a rate-limit window)."""
    frozen = FrozenClock(dt.datetime(2026, 11, 23, 10, 0, 30, tzinfo=SHANGHAI))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def other_office_dispatcher(world: Any) -> Any:
    return _persona("far_dispatcher", Role.DISPATCHER, place=world.other_office)


@pytest.fixture
def other_office_admin(world: Any) -> Any:
    return _persona("far_admin", Role.ADMIN, place=world.other_office)


@dataclass
class Pushing:
    source: Any
    key: str


@pytest.fixture
def police(world: Any, now: FrozenClock) -> Pushing:
    source, key = source_create(
        name="区公安分局", code="police", kind=SourceKind.POLICE, channel=Channel.DEPARTMENT, office=world.office
    )
    return Pushing(source, key)


@pytest.fixture
def market(world: Any, now: FrozenClock) -> Pushing:
    source, key = source_create(
        name="市场监管所", code="market", kind=SourceKind.MARKET, channel=Channel.DEPARTMENT, office=world.office
    )
    return Pushing(source, key)


@pytest.fixture
def hotline(world: Any, now: FrozenClock) -> Pushing:
    source, key = source_create(
        name="12345热线",
        code="h12345",
        kind=SourceKind.HOTLINE_12345,
        channel=Channel.HOTLINE_12345,
        office=world.office,
    )
    return Pushing(source, key)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1: records each POST and answers with the next planned status."""

    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    default_status: int = 200

    def next_status(self) -> int:
        return self.statuses.pop(0) if self.statuses else self.default_status


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            target = box["receiver"]
            target.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = target.next_status()
            answer = f"status {status}".encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/jiedao")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box["receiver"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

"""The product's URLs plus three that fail, for the error-page tests."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as product


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def locked(request: HttpRequest) -> HttpResponse:
    # The message SQLite gives when a write waited its whole timeout for another connection's lock.
    raise OperationalError("database is locked")


def other_operational(request: HttpRequest) -> HttpResponse:
    raise OperationalError("no such table: nothing")


urlpatterns = [
    path("test-crash/", crash),
    path("test-locked/", locked),
    path("test-operational/", other_operational),
    *product,
]

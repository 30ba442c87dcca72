from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve jiedao with gunicorn (the same server in development and production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("JIEDAO_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        # The ordinary checks ran before handle(); production also gets the deployment checks, and an error stops it.
        if settings.SETTINGS_MODULE.endswith(".production"):
            call_command("check", deploy=True, fail_level="ERROR")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--timeout",
            "60",
        ]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
        os.execv(sys.executable, argv)  # noqa: S606  (replaces this process with gunicorn)

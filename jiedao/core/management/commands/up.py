from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server and the background worker together until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("JIEDAO_BIND", "127.0.0.1:8000"))

    def handle(self, *args: Any, bind: str, **options: Any) -> None:
        cli = [sys.executable, "-m", "jiedao.cli"]
        children = [
            subprocess.Popen([*cli, "worker"]),
            subprocess.Popen([*cli, "serve", "--bind", bind]),
        ]
        self.stdout.write(self.style.SUCCESS(f"jiedao is running at http://{bind}/ (Ctrl-C stops it)"))

        def stop(*_args: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        codes = [child.returncode for child in children]
        if any(code not in (0, -signal.SIGTERM, None) for code in codes):
            sys.exit(1)

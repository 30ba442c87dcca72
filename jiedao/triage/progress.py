"""A one-line progress bar for the console commands (stderr, redrawn in place)."""

from __future__ import annotations

import sys
from typing import TextIO

STEPS = {"segment": "分词", "fit": "训练", "evaluate": "评估"}
WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.last = ""

    def __call__(self, step: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = int(share * WIDTH)
        line = f"\r{STEPS.get(step, step)} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%} {done:,}/{total:,}"
        if line != self.last:
            self.stream.write(line)
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
            self.last = line

"""The `jiedao` console command: Django's manage.py with jiedao's own subcommands.

`jiedao serve`, `jiedao worker`, `jiedao up`, `jiedao demo`, `jiedao import-places` and every Django
command (`jiedao migrate`, `jiedao createsuperuser`, ...). Subcommand names may use dashes.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    args[0] = "jiedao"
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

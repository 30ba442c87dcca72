"""`jiedao seed-categories [FILE]`: create the missing categories of a file, or of the default tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jiedao.categories.services import CategoriesImportInvalid, SeedReport, categories_import, categories_seed


class Command(BaseCommand):
    help = (
        "Create the missing nodes of the 3-level category tree from FILE (.xlsx or .csv with the columns "
        "一级分类, 二级分类, 三级分类), or from the default tree. Existing nodes are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default="", help="the .xlsx or .csv file (default: the default tree)")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            report = self._run(file)
        except CategoriesImportInvalid as exc:
            for error in exc.errors:
                self.stderr.write(error.as_line())
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def _run(self, file: str) -> SeedReport:
        if not file:
            return categories_seed()
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        with path.open("rb") as source:
            return categories_import(source=source, filename=path.name)

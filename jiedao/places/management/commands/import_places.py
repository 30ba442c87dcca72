"""`jiedao import-places FILE [--user USERNAME]`: import places from .xlsx or .geojson/.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jiedao.places.imports import PlacesImportInvalid, places_import


class Command(BaseCommand):
    help = "Import places and buildings from an Excel workbook (.xlsx) or GeoJSON (.geojson, .json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx, .geojson or .json file")
        parser.add_argument(
            "--user", default="", help="import as this user, limited to his area (default: the system, everything)"
        )

    def handle(self, *args: Any, file: str, user: str, **options: Any) -> None:
        actor = self._actor(user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        try:
            with path.open("rb") as source:
                report = places_import(source=source, filename=path.name, actor=actor)
        except PlacesImportInvalid as exc:
            for error in exc.errors:
                self.stderr.write(error.as_line())
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def _actor(self, username: str) -> Any:
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("No user is called %(name)s.") % {"name": username}) from None

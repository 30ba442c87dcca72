"""Compile the .po catalogues to .mo (with polib, so no system gettext is needed); skip up-to-date ones."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    compiled = 0
    for po_path in sorted((ROOT / "jiedao").glob("**/locale/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        untranslated = [e.msgid for e in catalogue.untranslated_entries() if not e.obsolete]
        if untranslated:
            print(f"{po_path}: {len(untranslated)} untranslated, e.g. {untranslated[0]!r}", file=sys.stderr)
        catalogue.save_as_mofile(str(mo_path))
        compiled += 1
    if compiled:
        print(f"compiled {compiled} message catalogue(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every string the code marks for translation has its Chinese in the catalogue.

Read from the sources themselves (Python by its syntax tree; templates' `{% translate "…" %}` tags), so a string added
without a translation fails here instead of showing English to the office. `{% blocktranslate %}` blocks, whose
message ids Django builds from their bodies, are not read here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]  # the jiedao package
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The message id is the first argument (the singular, for the plural forms).
FIRST = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}
TEMPLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?""")


def _sources(suffix: str) -> list[Path]:
    return sorted(p for p in ROOT.rglob(f"*{suffix}") if "tests" not in p.parts and "migrations" not in p.parts)


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _marked_in_python(path: Path) -> list[tuple[str | None, str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        args = node.args
        if name in FIRST and args and (msgid := _literal(args[0])) is not None:
            found.append((None, msgid, f"{path.relative_to(ROOT)}:{node.lineno}"))
        elif name in CONTEXT and len(args) >= 2:
            context, msgid = _literal(args[0]), _literal(args[1])
            if context is not None and msgid is not None:
                found.append((context, msgid, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return found


def _marked_in_template(path: Path) -> list[tuple[str | None, str, str]]:
    text = path.read_text(encoding="utf-8")
    return [
        (match.group(4), match.group(2), f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}")
        for match in TEMPLATE_TAG.finditer(text)
    ]


def test_every_marked_string_has_its_translation():
    catalogue = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete}
    marked = [m for p in _sources(".py") for m in _marked_in_python(p)]
    marked += [m for p in _sources(".html") for m in _marked_in_template(p)]
    assert len(marked) > 1000  # the reader found the code's strings
    missing = []
    for context, msgid, where in marked:
        entry = catalogue.get((context, msgid))
        translated = (
            entry is not None
            and (all(entry.msgstr_plural.values()) if entry.msgid_plural else entry.msgstr)
            and "fuzzy" not in entry.flags
        )
        if not translated:
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "untranslated:\n" + "\n".join(sorted(set(missing)))

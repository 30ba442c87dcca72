"""Every string the code marks for translation has its Chinese in the catalogue.

Read from the sources themselves, so a string added without a translation fails here instead of showing English to
the office: Python by its syntax tree; templates through Django's own `templatize` (what `makemessages` runs), which
turns `{% translate %}` and `{% blocktranslate %}` (with its placeholders, plural and context) into the gettext calls
whose message ids the catalogue holds. Django's own admin and account strings are held to the same rule: its zh_Hans
catalogues lag behind its code, and jiedao's fill the gap.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import django
import polib
import pytest
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]  # the jiedao package
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
JS_CATALOGUE = CATALOGUE.with_name("djangojs.po")
DJANGO = Path(django.__file__).parent
# The parts of Django whose pages the office sees: the admin, and the account forms and password rules.
DJANGO_PARTS = (DJANGO / "contrib" / "admin", DJANGO / "contrib" / "auth")
JS_CALL = re.compile(r"""\b(?:gettext|ngettext)\(\s*'([^']*)'""")
# The message id is the first argument (the singular, for the plural forms).
FIRST = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
# templatize writes each call on one line, its strings by repr; everything else becomes runs of letters.
TEMPLATE_CALL = re.compile(r"\b(?:n?p?gettext)\(")


def _sources(suffix: str, root: Path = ROOT) -> list[Path]:
    return sorted(p for p in root.rglob(f"*{suffix}") if "tests" not in p.parts and "migrations" not in p.parts)


def _translated(*catalogues: Path) -> set[tuple[str | None, str]]:
    """(context, message id) of every translated entry; a plural entry by its singular."""
    return {
        (e.msgctxt, e.msgid)
        for path in catalogues
        for e in polib.pofile(str(path))
        if e.translated() and not e.obsolete
    }


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _marked_calls(tree: ast.AST, where: str, first_line: int = 0) -> list[tuple[str | None, str, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        args = node.args
        line = f"{where}:{first_line + node.lineno}"
        if name in FIRST and args and (msgid := _literal(args[0])) is not None:
            found.append((None, msgid, line))
        elif name in CONTEXT and len(args) >= 2:
            context, msgid = _literal(args[0]), _literal(args[1])
            if context is not None and msgid is not None:
                found.append((context, msgid, line))
    return found


def _marked_in_python(path: Path, root: Path = ROOT) -> list[tuple[str | None, str, str]]:
    return _marked_calls(ast.parse(path.read_text(encoding="utf-8")), str(path.relative_to(root)))


def _marked_in_template(path: Path, root: Path = ROOT) -> list[tuple[str | None, str, str]]:
    found = []
    where = str(path.relative_to(root))
    for number, line in enumerate(templatize(path.read_text(encoding="utf-8"), origin=str(path)).splitlines()):
        for match in TEMPLATE_CALL.finditer(line):
            call = _first_call(line[match.start() :])
            assert call is not None, f"{where}:{number + 1}: templatize wrote a call this reader cannot parse"
            found += _marked_calls(call, where, number)
    return found


def _first_call(text: str) -> ast.Expression | None:
    """The call at the start of `text`: the shortest prefix up to a closing parenthesis that parses."""
    for end, char in enumerate(text):
        if char == ")":
            try:
                return ast.parse(text[: end + 1], mode="eval")
            except SyntaxError:
                continue
    return None


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


def test_the_admin_and_the_account_forms_have_chinese_for_every_string_django_marks():
    """Django's own zh_Hans catalogues lag behind its code (5.2 changed message ids they still hold in the old form:
    the too-short password error showed English); jiedao's catalogues fill the gap, and this keeps it filled."""
    have = _translated(*DJANGO.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"), CATALOGUE)
    marked = [m for part in DJANGO_PARTS for p in _sources(".py", part) for m in _marked_in_python(p, DJANGO)]
    marked += [m for part in DJANGO_PARTS for p in _sources(".html", part) for m in _marked_in_template(p, DJANGO)]
    assert len(marked) > 300
    missing = sorted({f"{where}: {msgid!r}" for context, msgid, where in marked if (context, msgid) not in have})
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_the_admin_scripts_have_chinese_for_every_string():
    have = _translated(*DJANGO.glob("contrib/admin/locale/zh_Hans/LC_MESSAGES/djangojs.po"), JS_CATALOGUE)
    scripts = [p for p in (DJANGO / "contrib" / "admin" / "static").rglob("*.js") if "vendor" not in p.parts]
    marked = {(p.name, m) for p in scripts for m in JS_CALL.findall(p.read_text(encoding="utf-8"))}
    assert len(marked) > 30
    missing = sorted(f"{name}: {msgid!r}" for name, msgid in marked if (None, msgid) not in have)
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_a_too_short_password_is_refused_in_chinese():
    from django.contrib.auth.password_validation import MinimumLengthValidator
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        MinimumLengthValidator(10).validate("abc")
    assert refused.value.messages == ["密码太短，至少需要 10 个字符。"]


@pytest.mark.django_db
def test_every_field_the_admin_shows_has_a_chinese_name(rf):
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.core.exceptions import FieldDoesNotExist
    from django.utils import translation

    request = rf.get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    english = []
    with translation.override("zh-hans"):
        for model, model_admin in admin.site._registry.items():
            if not model.__module__.startswith("jiedao."):
                continue
            shown = {*model_admin.get_list_display(request), *model_admin.get_readonly_fields(request)}
            shown |= set(model_admin.get_fields(request))
            names = [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
            for name in shown:
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue  # a computed column: its description is a marked string, checked above
                names.append(str(getattr(field, "verbose_name", name)))
            # "ID" is what Chinese screens call it too (Django's own catalogue keeps it).
            english += [f"{model.__name__}: {n!r}" for n in names if n != "ID" and not re.search(r"[\u4e00-\u9fff]", n)]
    assert not english, "admin labels without Chinese:\n" + "\n".join(sorted(set(english)))

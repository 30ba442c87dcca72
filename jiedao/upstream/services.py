"""Every write of the 12345 import: a run asked for (the file kept for the worker), the run carried out (read,
check every row, then write all of it in one transaction or nothing), and the one change the upstream may make to a
case it sent before (`case_upstream_update`, with its audit event)."""

from __future__ import annotations

import functools
import io
import logging
import traceback
import uuid
from collections.abc import Callable
from pathlib import PurePath
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiedao.analytics.rollups import stale_days_deferred
from jiedao.audit.choices import AuditAction
from jiedao.audit.services import audit_record
from jiedao.cases.choices import Channel, State
from jiedao.cases.duplicates import address_key
from jiedao.cases.models import Case
from jiedao.cases.querysets import CLOCK_RUNNING
from jiedao.cases.services import case_register_upstream
from jiedao.cases.services.base import event, recompute_finish
from jiedao.cases.services.intake import numbers_reserved, upstream_numbers_looked_up
from jiedao.cases.workflow import ENDED_STATES
from jiedao.core import clock, crypto
from jiedao.core.errors import DomainError, NotFoundOrForbidden
from jiedao.integrations.webhooks import subscriptions_read_once
from jiedao.places.models import Place
from jiedao.upstream import permissions
from jiedao.upstream.checks import REGISTRATION_FIELDS, Context, Order, Plan, check_rows
from jiedao.upstream.choices import RunState
from jiedao.upstream.columns import DEFAULT_DATE_FORMATS, DEFAULT_HEADERS, DEFAULT_PRESET_NAME
from jiedao.upstream.matching import CategoryIndex, PlaceIndex
from jiedao.upstream.models import ColumnPreset, ImportRun
from jiedao.upstream.progress import progress_clear, progress_write
from jiedao.upstream.reading import RowError, read_export

logger = logging.getLogger(__name__)
UPSTREAM_UPDATE = "upstream_update"
# At most this many errors are kept with a run (a file that bad is far from ready anyway).
MAX_KEPT_ERRORS = 20_000
EXCEL_SUFFIX = ".xlsx"


class ImportRefused(DomainError):
    """The import cannot start (no right, bad file type, unknown preset or office); nothing was kept."""

    code = "import_refused"


class RowsRefused(DomainError):
    """Raised inside the writing transaction to roll it back when a row fails at write time."""

    code = "rows_refused"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("The file has errors; nothing was imported."))
        self.errors = errors


# ---- presets -------------------------------------------------------------------------------------------------------


def builtin_preset() -> ColumnPreset:
    """The built-in preset (unsaved): what the migration writes as the default, and the fallback without one."""
    return ColumnPreset(
        name=DEFAULT_PRESET_NAME,
        mapping={name: list(spellings) for name, spellings in DEFAULT_HEADERS.items()},
        date_formats=list(DEFAULT_DATE_FORMATS),
        is_default=True,
    )


def preset_for(name: str = "") -> ColumnPreset:
    """The preset called `name`, else the default one, else the built-in. Raises ImportRefused for an unknown name."""
    if name:
        preset = ColumnPreset.objects.filter(name=name).first()
        if preset is None:
            known = "、".join(ColumnPreset.objects.values_list("name", flat=True)) or "—"
            raise ImportRefused(_("No column preset is called “%(n)s” (there are: %(k)s).") % {"n": name, "k": known})
        return preset
    return ColumnPreset.objects.filter(is_default=True).first() or builtin_preset()


# ---- the run -------------------------------------------------------------------------------------------------------


def _enqueue(run_id: int) -> None:
    from jiedao.upstream.tasks import run_import

    run_import(run_id)


def _scope_code(actor: Any, office: Place | None) -> str:
    if office is not None:
        return office.prefix
    offices = list(permissions.importable_offices(actor)[:2])
    return offices[0].prefix if len(offices) == 1 else ""


@transaction.atomic
def import_run_create(
    *,
    actor: Any,
    source: IO[bytes] | bytes,
    filename: str,
    preset: ColumnPreset | None = None,
    office: Place | None = None,
    enqueue: bool = True,
) -> ImportRun:
    """Keep the file and record the run; the worker imports it after commit (or the caller, with enqueue=False).

    Raises ImportRefused when the actor may not import, for a file that is not .xlsx or an office not his. The
    office may be omitted when the actor has only one, or when the file names each row's office.
    """
    if not permissions.can_import(actor):
        raise ImportRefused(_("Only the office's dispatchers and administrators import 12345 orders."))
    if PurePath(filename).suffix.lower() != EXCEL_SUFFIX:
        raise ImportRefused(_("Upload the platform's Excel export (.xlsx)."))
    if office is not None and not permissions.importable_offices(actor).filter(pk=office.pk).exists():
        raise ImportRefused(_("You may not import into %(office)s.") % {"office": office.name})
    if office is None:
        offices = list(permissions.importable_offices(actor)[:2])
        office = offices[0] if len(offices) == 1 else None
    chosen = preset or preset_for()
    run = ImportRun(
        created_by=actor,
        created_at=clock.now(),
        filename=PurePath(filename).name[:255],
        preset=chosen if chosen.pk else None,
        preset_name=chosen.name,
        office=office,
        scope_code=_scope_code(actor, office),
    )
    content = source if isinstance(source, bytes) else source.read()
    run.source.save(f"{uuid.uuid4().hex}{EXCEL_SUFFIX}", ContentFile(content), save=False)
    run.save()
    if enqueue:
        transaction.on_commit(functools.partial(_enqueue, run.pk))
    return run


def _set(run_id: int, **values: Any) -> None:
    # Outside any transaction of the import, so the page polling the run sees each step.
    ImportRun.objects.filter(pk=run_id).update(**values)


def import_run_execute(*, run_id: int) -> ImportRun:
    """Import the run's file: read and check every row (progress 0–30 %), then, only if no row has an error, write
    every order in one transaction (30–100 %). Returns the run done, refused with its errors (nothing written), or
    failed with the reason. Claimed by a conditional UPDATE (queued → running): a run is carried out once."""
    claimed = ImportRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, started_at=clock.now(), progress=1
    )
    run = ImportRun.objects.select_related("created_by", "preset", "office").get(pk=run_id)
    if not claimed:
        return run
    try:
        plan = _check(run)
        if not plan.errors:
            try:
                _write(run, plan)
            except RowsRefused as refused:
                plan.errors = refused.errors
    except Exception as error:
        logger.exception("12345 import %s failed", run.pk)
        detail = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        _finish(run, state=RunState.FAILED, failure=detail + "\n\n" + traceback.format_exc(limit=3))
        return run
    if plan.errors:
        kept = [error.as_list() for error in plan.errors[:MAX_KEPT_ERRORS]]
        _finish(run, state=RunState.INVALID, plan=plan, errors=kept, error_count=len(plan.errors))
    else:
        _finish(run, state=RunState.DONE, plan=plan)
    return run


def _check(run: ImportRun) -> Plan:
    actor = run.created_by
    preset = run.preset or preset_for()
    if run.preset is None and run.preset_name and run.preset_name != preset.name:
        raise ImportRefused(_("The preset “%(n)s” no longer exists.") % {"n": run.preset_name})
    with run.source.open("rb") as handle:
        data = handle.read()

    def reading(count: int) -> None:
        _set(run.pk, progress=min(20, 2 + count // 500))

    sheet = read_export(io.BytesIO(data), preset.mapping, progress=reading)
    _set(run.pk, progress=20, rows=len(sheet.rows))
    context = Context(
        sheet=sheet,
        mapping=preset.mapping,
        date_formats=[*preset.date_formats, *DEFAULT_DATE_FORMATS],
        default_request_type=preset.default_request_type,
        default_urgency=preset.default_urgency,
        places=PlaceIndex(list(permissions.importable_offices(actor))),
        office=run.office,
    )
    total = max(1, len(sheet.rows))

    def checking(count: int) -> None:
        _set(run.pk, progress=20 + 10 * count // total)

    return check_rows(context, progress=checking)


def _write(run: ImportRun, plan: Plan) -> None:
    actor = run.created_by
    total = max(1, len(plan.new) + len(plan.changes))
    categories = CategoryIndex() if any(order.category_id for order in plan.new) else None
    report: Callable[[int], None] = functools.partial(_report_progress, run.pk, total)
    _set(run.pk, progress=30)
    try:
        with (
            transaction.atomic(),
            stale_days_deferred(),
            subscriptions_read_once(),
            numbers_reserved(_new_per_office_year(plan)),
            upstream_numbers_looked_up(Channel.HOTLINE_12345, [order.upstream_number for order in plan.new]),
        ):
            errors: list[RowError] = []
            for index, order in enumerate(plan.new, start=1):
                category = categories.instance(order.category_id) if categories and order.category_id else None
                try:
                    _register(order, actor=actor, category=category)
                except DomainError as error:
                    errors.append(_row_error(plan, order.row, error))
                report(index)
            for index, change in enumerate(plan.changes, start=len(plan.new) + 1):
                try:
                    case_upstream_update(case_id=change.case_id, actor=actor, values=change.values, run_id=run.pk)
                except DomainError as error:
                    errors.append(_row_error(plan, change.row, error))
                report(index)
            if errors:
                raise RowsRefused(errors)
    finally:
        progress_clear(run.pk)


def _new_per_office_year(plan: Plan) -> dict[tuple[Any, int], int]:
    """How many numbers each office and year will take (one update of its sequence row, not one per case)."""
    counts: dict[tuple[Any, int], int] = {}
    for order in plan.new:
        key = (order.office, timezone.localtime(order.received_at).year)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _report_progress(run_id: int, total: int, done: int) -> None:
    if done % 200 == 0 or done == total:
        progress_write(run_id, 30 + 69 * done // total)


def _row_error(plan: Plan, row: int, error: DomainError) -> RowError:
    field = str(getattr(error, "field", ""))
    return RowError(row, plan.labels.get(field, field), error.message)


def _register(order: Order, *, actor: Any, category: Any) -> Case:
    return case_register_upstream(
        order=order,
        actor=actor,
        channel=Channel.HOTLINE_12345,
        upstream_number=order.upstream_number,
        upstream_deadline=order.upstream_deadline,
        place=order.place,
        office=order.office,
        category=category,
    )


def _finish(
    run: ImportRun,
    *,
    state: str,
    plan: Plan | None = None,
    errors: list[Any] | None = None,
    error_count: int = 0,
    failure: str = "",
) -> None:
    run.state, run.progress, run.finished_at, run.failure = state, 100, clock.now(), failure
    run.errors, run.error_count = errors or [], error_count
    if plan is not None and state == RunState.DONE:
        run.created, run.updated, run.unchanged = len(plan.new), len(plan.changes), plan.unchanged
        run.duplicates, run.kept = plan.duplicates, plan.kept
    if plan is not None:
        run.rows = plan.rows_read
    if run.source:
        run.source.delete(save=False)  # the file holds residents' names and numbers: kept no longer than needed
    run.save()
    audit_record(
        action=AuditAction.IMPORT,
        actor=run.created_by,
        obj=run,
        scope_code=run.scope_code,
        detail={
            "kind": "12345",
            "file": run.filename,
            "preset": run.preset_name,
            "state": run.state,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "errors": run.error_count,
        },
    )


# ---- the upstream's changes to a case it sent before ----------------------------------------------------------------

# Personal or long values are not copied into the event log: only that they changed.
NOT_LOGGED = frozenset({"reporter_name", "reporter_phone", "content"})


def _logged(name: str, value: Any) -> Any:
    if name in NOT_LOGGED:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@transaction.atomic
def case_upstream_update(*, case_id: int, actor: Any, values: dict[str, Any], run_id: int | None = None) -> Case:
    """Apply what the 12345 platform changed on an order it sent before: its deadline while the case is open, and
    its texts, type, urgency, category, address and reporter while the case is still at registration. Fields the
    case no longer lets change (it moved on since the file was checked) are left as they are. Nothing changes,
    and no event is written, when nothing differs.

    Locks the case. Raises NotFoundOrForbidden when the actor does not import for the case's place.
    """
    case = Case.objects.select_for_update().filter(pk=case_id, channel=Channel.HOTLINE_12345).first()
    if case is None or not permissions.can_import_at(actor, case.scope_code):
        raise NotFoundOrForbidden(_("No such case."))
    if case.state in ENDED_STATES:
        return case
    allowed = {"upstream_deadline", *(REGISTRATION_FIELDS if case.state == State.REGISTERED else ())}
    changed = {name: value for name, value in values.items() if name in allowed and getattr(case, name) != value}
    if not changed:
        return case
    before = {name: _logged(name, getattr(case, name)) for name in changed}
    fields = set(changed)
    for name, value in changed.items():
        setattr(case, name, value)
    if "address" in changed:
        case.address_key = address_key(case.address)
        fields.add("address_key")
    if "reporter_phone" in changed:
        digits = "".join(ch for ch in case.reporter_phone if ch.isdigit())
        case.reporter_phone_hash = crypto.keyed_hash(digits) if digits else ""
        case.reporter_phone_last4 = digits[-4:]
        fields |= {"reporter_phone_hash", "reporter_phone_last4"}
    data: dict[str, Any] = {
        "fields": sorted(changed),
        "before": before,
        "after": {name: _logged(name, value) for name, value in changed.items()},
    }
    if run_id is not None:
        data["import_run"] = run_id
    # The finishing clock started at receipt keeps the earlier of its limit and the upstream deadline; after a
    # rework or an approved extension it runs on its own limit (as the case services decide), so it stays.
    if (
        "upstream_deadline" in changed
        and case.state in CLOCK_RUNNING
        and case.finish_started_at is not None
        and case.rework_count == 0
        and case.extension_count == 0
    ):
        previous = case.finish_deadline
        recompute_finish(case, keep_upstream=True)
        if case.finish_deadline != previous:
            fields.add("finish_deadline")
            data["finish_deadline"] = case.finish_deadline.isoformat() if case.finish_deadline else None
    case.version += 1
    case.save(update_fields=sorted({*fields, "version", "updated_at"}))
    event(case, actor=actor, action=UPSTREAM_UPDATE, from_state=case.state, to_state=case.state, data=data)
    return case

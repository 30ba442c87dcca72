"""The periodic warning and escalation job (DOMAIN.md §2 warnings; the figures are local practice, in settings).

Rules, each given once per key (a WarningMark row):
- yellow: an open, running finishing clock has used ≥ CASE_WARNING_SHARE of its limit → the main unit's
  handlers (the dispatchers while no unit has it); once per case and deadline.
- red: the finishing deadline has passed (open, not suspended, not replied yet) → the unit's handlers and the
  dispatchers, an automatic 督办 notice to the main unit and one rung up the escalation ladder (the rung is
  told); once per case and deadline.
- unsigned: an active dispatch not signed for CASE_SIGN_WARNING_HOURS (24) hours after it was made → that
  unit's handlers and the dispatchers; once per dispatch.
- silent: no event by a person on an open, unsuspended case for CASE_SILENCE_DAYS (3) calendar days → the
  dispatchers; once per silence (keyed by the last event, so a new silence after new activity warns again).
  The system's own notices and escalations are not progress.
- dissatisfied: CASE_DISSATISFIED_LIMIT (2) callbacks with the result rated 不满意 → the office's leaders, and
  one rung up the ladder while the case is open; once per case.

Concurrency: candidates come from indexed filters that leave out what is already marked; each is then handled in
its own transaction: the case row is locked with SKIP LOCKED (a case another worker or a person holds is left
for the next run), the rule is checked again on the locked row, and the WarningMark row is inserted: its unique
constraint is the final guard, so two workers never warn, supervise or escalate twice. SQLite has no row locks
(Django leaves the clause out); it serialises writers anyway.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

# The module, not its functions: the case services may import this app's services without a cycle.
from jiedao.cases import services as case_services
from jiedao.cases import workflow
from jiedao.cases.choices import Escalation, Satisfaction, State
from jiedao.cases.deadlines import Light, light, pauses_of
from jiedao.cases.models import Callback, Case, CaseEvent, Dispatch
from jiedao.cases.querysets import OPEN
from jiedao.cases.workflow import Action
from jiedao.core import clock
from jiedao.core.errors import DomainError
from jiedao.notifications import rules, services, texts
from jiedao.notifications.choices import Kind, WarningKind
from jiedao.notifications.models import WarningMark
from jiedao.notifications.system import system_user

logger = logging.getLogger(__name__)

RUNNING = [state for state in OPEN if state != State.SUSPENDED]


def sign_hours() -> int:
    return int(getattr(settings, "CASE_SIGN_WARNING_HOURS", 24))


def silence_days() -> int:
    return int(getattr(settings, "CASE_SILENCE_DAYS", 3))


def dissatisfied_limit() -> int:
    return int(getattr(settings, "CASE_DISSATISFIED_LIMIT", 2))


@dataclass
class WarningReport:
    """How many warnings of each rule one run gave."""

    yellow: int = 0
    red: int = 0
    unsigned: int = 0
    silent: int = 0
    dissatisfied: int = 0

    @property
    def total(self) -> int:
        return self.yellow + self.red + self.unsigned + self.silent + self.dissatisfied

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _marked(kind: str, **match: Any) -> Exists:
    return Exists(WarningMark.objects.filter(case=OuterRef(match.pop("case", "pk")), kind=kind, **match))


def _once(
    case_id: int,
    *,
    kind: str,
    now: dt.datetime,
    deadline: dt.datetime | None = None,
    ref: int = 0,
    due: Callable[[Case], bool],
    act: Callable[[Case], None],
) -> bool:
    """Lock the case (skipping it when someone holds it), check the rule again, mark it and act; all or nothing."""
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update(skip_locked=True).filter(pk=case_id).first()
            if case is None or not due(case):
                return False
            try:
                with transaction.atomic():
                    WarningMark.objects.create(case=case, kind=kind, deadline=deadline, ref=ref, created_at=now)
            except IntegrityError:
                return False  # another worker gave this warning
            act(case)
            return True
    except Exception:
        # One case must not stop the others; nothing of it was written, so the next run tries again.
        logger.exception("warning %s for case %s failed", kind, case_id)
        return False


def _tell(kind: str, case: Case, recipients: list[Any], **facts: Any) -> None:
    services.notify(
        recipients=recipients,
        kind=kind,
        title=texts.title(kind, case),
        body=texts.body(kind, **facts),
        url=texts.case_url(case),
        case=case,
        channels=rules.channels_for(kind),
    )


def _automatic(case: Case, system: Any, *, supervise: str = "", escalate: str = "") -> None:
    """Issue a 督办 notice and/or escalate as the system, where the workflow allows; then tell who must know."""
    before = CaseEvent.objects.filter(case=case).order_by("-id").values_list("pk", flat=True).first() or 0
    allowed = workflow.allowed_actions(case.state)
    steps: list[Callable[[], Case]] = []
    if supervise and case.main_unit_id is not None and Action.SUPERVISE in allowed:
        steps.append(
            lambda: case_services.case_supervise(case_id=case.pk, actor=system, content=supervise, automatic=True)
        )
    if escalate and case.escalation < Escalation.PRINCIPAL_LEADER and Action.ESCALATE in allowed:
        steps.append(lambda: case_services.case_escalate(case_id=case.pk, actor=system, note=escalate))
    for step in steps:
        try:
            step()
        except DomainError as exc:
            # The warning itself stands; the refusal is the system account's configuration (e.g. deactivated).
            logger.warning("automatic action on case %s refused: %s", case.pk, exc.message)
    for event_id in CaseEvent.objects.filter(case=case, pk__gt=before, actor=system).values_list("pk", flat=True):
        services.notify_case_event(event_id)


def _running(case: Case) -> bool:
    return case.state in RUNNING and case.replied_at is None


def give_red(now: dt.datetime, system: Any) -> int:
    """Overdue cases: tell the unit and the dispatchers, supervise the main unit, escalate one rung."""
    candidates = (
        Case.objects.overdue(now)
        .filter(replied_at__isnull=True)
        .exclude(_marked(WarningKind.RED, deadline=OuterRef("finish_deadline")))
        .order_by("finish_deadline", "pk")
        .values_list("pk", "finish_deadline")
    )
    given = 0
    for case_id, deadline in list(candidates):

        def due(case: Case, deadline: dt.datetime | None = deadline) -> bool:
            return _running(case) and deadline is not None and case.finish_deadline == deadline and deadline < now

        def act(case: Case, deadline: dt.datetime | None = deadline) -> None:
            _tell(Kind.RED, case, rules.recipients_for(case, Kind.RED), deadline=texts.when(deadline))
            _automatic(
                case,
                system,
                supervise=_("Automatic supervision: the finishing deadline %(deadline)s has passed.")
                % {"deadline": texts.when(deadline)},
                escalate=_("Escalated automatically: overdue."),
            )

        given += _once(case_id, kind=WarningKind.RED, now=now, deadline=deadline, due=due, act=act)
    return given


def _yellow_now(case: Case, now: dt.datetime) -> bool:
    return (
        light(
            started_at=case.finish_started_at,
            deadline_at=case.finish_deadline,
            now=now,
            unit=case.finish_unit,
            pauses=pauses_of(case),
        )
        == Light.YELLOW
    )


def yellow_candidates(now: dt.datetime) -> QuerySet[Case]:
    """Running clocks not yet past their deadline and not yet warned about it (the share is computed in Python)."""
    return (
        Case.objects.filter(state__in=RUNNING, replied_at__isnull=True, finish_deadline__gte=now)
        .exclude(Q(finish_started_at__isnull=True) | Q(finish_unit=""))
        .exclude(_marked(WarningKind.YELLOW, deadline=OuterRef("finish_deadline")))
        .only("pk", "state", "replied_at", "finish_started_at", "finish_deadline", "finish_unit")
        .prefetch_related("suspensions")
        .order_by("finish_deadline", "pk")
    )


def give_yellow(now: dt.datetime) -> int:
    """Clocks past the warning share: tell the main unit (or the dispatchers while no unit has the case)."""
    due_ids = [(case.pk, case.finish_deadline) for case in yellow_candidates(now) if _yellow_now(case, now)]
    given = 0
    for case_id, deadline in due_ids:

        def due(case: Case, deadline: dt.datetime | None = deadline) -> bool:
            return _running(case) and case.finish_deadline == deadline and _yellow_now(case, now)

        def act(case: Case) -> None:
            _tell(Kind.YELLOW, case, rules.recipients_for(case, Kind.YELLOW), deadline=texts.when(case.finish_deadline))

        given += _once(case_id, kind=WarningKind.YELLOW, now=now, deadline=deadline, due=due, act=act)
    return given


def give_unsigned(now: dt.datetime) -> int:
    """Dispatches not signed for within the hours: tell that unit and the dispatchers."""
    hours = sign_hours()
    candidates = (
        Dispatch.objects.filter(
            active=True,
            signed_at__isnull=True,
            dispatched_at__lte=now - dt.timedelta(hours=hours),
            case__state__in=RUNNING,
        )
        .exclude(_marked(WarningKind.UNSIGNED, case="case_id", deadline__isnull=True, ref=OuterRef("pk")))
        .order_by("dispatched_at", "pk")
        .values_list("case_id", "pk")
    )
    given = 0
    for case_id, dispatch_id in list(candidates):

        def due(case: Case, dispatch_id: int = dispatch_id) -> bool:
            return (
                case.state in RUNNING
                and Dispatch.objects.filter(pk=dispatch_id, case=case, active=True, signed_at__isnull=True).exists()
            )

        def act(case: Case, dispatch_id: int = dispatch_id) -> None:
            dispatch = Dispatch.objects.select_related("unit").get(pk=dispatch_id)
            recipients = rules.recipients_for(case, Kind.UNSIGNED, unit_id=dispatch.unit_id)
            at = texts.when(dispatch.dispatched_at)
            _tell(Kind.UNSIGNED, case, recipients, unit=dispatch.unit, at=at, hours=hours)

        given += _once(case_id, kind=WarningKind.UNSIGNED, now=now, ref=dispatch_id, due=due, act=act)
    return given


def _progress(system: Any) -> QuerySet[CaseEvent]:
    """Events by people (not the system's automatic notices and escalations), newest first."""
    return CaseEvent.objects.exclude(actor=system).order_by("-at", "-id")


def give_silent(now: dt.datetime, system: Any) -> int:
    """Open cases nobody has acted on for the days: tell the dispatchers, once per silence."""
    days = silence_days()
    cutoff = now - dt.timedelta(days=days)
    last = _progress(system).filter(case=OuterRef("pk"))
    candidates = (
        Case.objects.filter(state__in=RUNNING)
        .annotate(last_id=Subquery(last.values("pk")[:1]), last_at=Subquery(last.values("at")[:1]))
        .filter(last_at__lt=cutoff)
        .exclude(_marked(WarningKind.SILENT, deadline__isnull=True, ref=OuterRef("last_id")))
        .order_by("pk")
        .values_list("pk", "last_id", "last_at")
    )
    given = 0
    for case_id, last_id, last_at in list(candidates):

        def due(case: Case, last_id: int = last_id) -> bool:
            latest = _progress(system).filter(case=case).values_list("pk", "at").first()
            return case.state in RUNNING and latest is not None and latest[0] == last_id and latest[1] < cutoff

        def act(case: Case, last_at: dt.datetime = last_at) -> None:
            recipients = rules.recipients_for(case, Kind.SILENT)
            _tell(Kind.SILENT, case, recipients, at=texts.when(last_at), days=days)

        given += _once(case_id, kind=WarningKind.SILENT, now=now, ref=last_id, due=due, act=act)
    return given


def _dissatisfied(case_filter: Q) -> QuerySet[Callback]:
    return Callback.objects.filter(case_filter, result_satisfaction=Satisfaction.DISSATISFIED)


def give_dissatisfied(now: dt.datetime, system: Any) -> int:
    """Cases rated 不满意 the limit number of times: tell the leaders, escalate an open case one rung."""
    limit = dissatisfied_limit()
    repeated = (
        _dissatisfied(Q()).values("case_id").annotate(times=Count("pk")).filter(times__gte=limit).values("case_id")
    )
    candidates = (
        Case.objects.filter(pk__in=repeated)
        .exclude(state=State.ARCHIVED)
        .exclude(_marked(WarningKind.DISSATISFIED, deadline__isnull=True, ref=0))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    given = 0
    for case_id in list(candidates):

        def due(case: Case) -> bool:
            return case.state != State.ARCHIVED and _dissatisfied(Q(case=case)).count() >= limit

        def act(case: Case) -> None:
            times = _dissatisfied(Q(case=case)).count()
            _tell(Kind.DISSATISFIED, case, rules.recipients_for(case, Kind.DISSATISFIED), count=times)
            _automatic(case, system, escalate=_("Escalated automatically: the resident was dissatisfied again."))

        given += _once(case_id, kind=WarningKind.DISSATISFIED, now=now, due=due, act=act)
    return given


def run_warnings(now: dt.datetime | None = None) -> WarningReport:
    """Give every warning due at `now` once and take the automatic actions; return the counts per rule.

    Running it again changes nothing until something new is due. Locks each case while handling it (see above).
    """
    now = now or clock.now()
    system = system_user()
    report = WarningReport()
    report.red = give_red(now, system)
    report.yellow = give_yellow(now)
    report.unsigned = give_unsigned(now)
    report.silent = give_silent(now, system)
    report.dissatisfied = give_dissatisfied(now, system)
    if report.total:
        logger.info("warnings given: %s", report.as_dict())
    return report

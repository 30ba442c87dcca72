"""The life of one planned case as a generator of steps: each step calls one real case service, then yields the
moment of the next. The driver in jiedao.demo.cases runs them in the order of those moments."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Generator, Set
from decimal import Decimal

from jiedao.accounts.models import User
from jiedao.cases import services
from jiedao.cases.choices import AttachmentKind, Channel, DispatchRole, Satisfaction, State, Urgency
from jiedao.cases.models import Case
from jiedao.demo import case_texts as texts
from jiedao.demo.case_photos import photo_files, scene
from jiedao.demo.case_plan import (
    ANSWER,
    CO_UNIT,
    ESCALATE,
    EXCLUDE,
    EXTENSION,
    MERGE,
    OVERSIGHT,
    PARK,
    REFUSED_RETURN,
    REJECT,
    RETURN,
    REWORK,
    SELF_HANDLE,
    STALL_UNREPLIED,
    STALL_UNSIGNED,
    SUPERVISE,
    SUSPEND,
    UNPARK,
    VERIFY_FAIL,
    VOID,
    Plan,
)  # fmt: skip
from jiedao.demo.case_time import OFFICE_DAY_HOURS, Timing
from jiedao.demo.case_values import case_values, rating
from jiedao.demo.case_world import World
from jiedao.workdays.calendar import Limit
from jiedao.workdays.choices import LimitUnit

Flow = Generator[dt.datetime, None, None]
LATE_SIGN, LATE_FINISH = 0.05, 0.06  # signed after the sign-off deadline; closed after the finishing one
_MERGEABLE = [s for s in State.values if s not in (State.CLOSED, State.ARCHIVED)]


class Flows:
    """The steps of every case of the year; remembers the case each plan became."""

    def __init__(self, world: World, seed: int, timing: Timing) -> None:
        self.world, self.seed, self.time = world, seed, timing
        self.case_ids: dict[int, int] = {}  # plan index → case id
        self.registered = 0

    @property
    def now(self) -> dt.datetime:
        return self.time.now

    def case(self, plan: Plan) -> Flow:
        """Register the demand (a grid worker's with his photos), then the office's first decision on it."""
        rng = random.Random(f"{self.seed}/{plan.index}/flow")
        office, values = plan.office, case_values(plan, random.Random(f"{self.seed}/{plan.index}/texts"))
        hotline = plan.channel == Channel.HOTLINE_12345
        upstream_deadline = None
        if hotline:
            days = 2 if plan.request_type in ("consultation", "suggestion") else 4
            urgent = plan.urgency == Urgency.URGENT
            limit = Limit(Decimal(24 if urgent else days), LimitUnit.HOURS if urgent else LimitUnit.WORKING_DAYS)
            upstream_deadline = self.time.calendar.deadline(plan.received_at, limit)
        reporter = office.dispatcher if hotline else rng.choice(plan.grid.workers)
        case = services.case_register(
            actor=reporter,
            channel=plan.channel,
            request_type=plan.request_type,
            urgency=plan.urgency,
            category=self.world.categories.get(plan.template.category),
            upstream_number=plan.upstream_number,
            upstream_deadline=upstream_deadline,
            received_at=plan.received_at if hotline else None,
            **values["case"],
        )
        cid = self.case_ids[plan.index] = case.pk
        self.registered += 1
        view = scene(random.Random(f"{self.seed}/{plan.index}/photos"))
        if plan.photos:  # sent with the report, from the same phone
            photos = photo_files(rng, plan.photos, self.now, fixed=False, of=view)
            services.case_attach(case_id=cid, actor=reporter, files=photos, kind=AttachmentKind.BEFORE)
        if SELF_HANDLE in plan.branches:  # the worker fixes it himself; the community checks it later
            yield self.time.minutes(rng, 5, 50)
            after = photo_files(rng, 1, self.now, fixed=True, of=view)
            services.case_self_handle(case_id=cid, actor=reporter, result_text=values["spot"], after_files=after)
            yield self.time.office(rng, 0.3, 6)
            checker = plan.grid.community_staff or office.dispatcher
            services.case_verify(case_id=cid, actor=checker, passed=True, note=texts.SPOT_CHECK_NOTES[0])
            return
        yield from self.decide(plan, rng, cid, values["result"])

    def decide(self, plan: Plan, rng: random.Random, cid: int, result: str) -> Flow:
        """Merge a repeat, refuse, void or answer at once; or accept and hand it to a unit."""
        dispatcher = plan.office.dispatcher
        if MERGE in plan.branches and plan.merge_into is not None:
            yield self.time.office(rng, 0.1, 1.0)
            main = self.case_ids.get(plan.merge_into)
            if main is not None and Case.objects.filter(pk=main, state__in=_MERGEABLE, merged_into=None).exists():
                services.case_merge(case_id=cid, into_id=main, actor=dispatcher, note=texts.MERGE_NOTES[0])
                return
        if REJECT in plan.branches:
            yield self.time.office(rng, 0.1, 1.5)
            reason = rng.choice(list(texts.REJECT_NOTES))
            services.case_reject(case_id=cid, actor=dispatcher, reason=reason, note=texts.REJECT_NOTES[reason])
            return
        if VOID in plan.branches:
            yield self.time.office(rng, 0.05, 0.5)
            services.case_void(case_id=cid, actor=dispatcher, note=rng.choice(texts.VOID_NOTES))
            return
        if ANSWER in plan.branches:
            yield self.time.office(rng, 0.1, 1.5)
            case = services.case_answer(case_id=cid, actor=dispatcher, result_text=result)
            yield from self.callbacks(plan, rng, case)
            return
        yield self.time.soon(rng, plan.urgency, 0.05, 0.8)
        services.case_accept(case_id=cid, actor=dispatcher)
        yield from self.handle(plan, rng, cid, result, plan.branches)

    def handle(self, plan: Plan, rng: random.Random, cid: int, result: str, branches: Set[str]) -> Flow:
        """Dispatch (a wrong unit first when it is returned, a co-unit when there is one), sign, contact, the side
        branches, reply and verify; then the callback."""
        office, dispatcher, community = plan.office, plan.office.dispatcher, plan.grid.community.pk
        right = first = office.unit(plan.template.sector, community)
        if RETURN in branches:
            first = office.unit(plan.template.wrong or "governance", community)
            if first == right:
                first = rng.choice([u for u in office.units if u != right])
        yield self.time.soon(rng, plan.urgency, 0.05, 1.0)
        case = services.case_dispatch(case_id=cid, actor=dispatcher, unit_id=first.pk)
        co = office.unit(plan.template.co or "governance", community)
        if CO_UNIT in branches and co != right:
            yield self.time.minutes(rng, 2, 15)
            services.case_dispatch(case_id=cid, actor=dispatcher, unit_id=co.pk, role=DispatchRole.CO)
            yield self.time.office(rng, 0.2, 3)
            services.case_sign(case_id=cid, actor=self.world.handlers[co.pk])
        if RETURN in branches or REFUSED_RETURN in branches:
            yield self.time.office(rng, 0.3, 5)
            reason = "wrong_duty" if RETURN in branches and rng.random() < 0.7 else rng.choice(list(texts.RETURN_NOTES))
            note = rng.choice(texts.RETURN_NOTES[reason])
            services.case_return(case_id=cid, actor=self.world.handlers[first.pk], reason=reason, note=note)
            yield self.time.office(rng, 0.2, 3)
            approve = RETURN in branches
            note = "" if approve else rng.choice(texts.REFUSE_NOTES)
            case = services.case_review_return(
                case_id=cid, actor=dispatcher, approve=approve, unit_id=right.pk if approve else None, note=note
            )
        if STALL_UNSIGNED in branches:
            return
        handler = self.world.handlers[right.pk]
        if rng.random() < LATE_SIGN and case.sign_deadline is not None and plan.urgency != Urgency.URGENT:
            yield self.time.office(rng, 0.5, 10, start=case.sign_deadline)
        else:
            yield self.time.soon(rng, plan.urgency, 0.1, 2.5 if rng.random() < 0.75 else 6.5)
        case = services.case_sign(case_id=cid, actor=handler)
        if rng.random() < (0.3 if plan.request_type == "consultation" else 0.85):
            late = rng.random() < 0.05 and case.contact_deadline is not None
            if late:
                yield self.time.office(rng, 0.5, 6, start=case.contact_deadline)
            else:
                yield self.time.soon(rng, plan.urgency, 0.1, 2)
            case = services.case_contact(case_id=cid, actor=handler, note=rng.choice(texts.CONTACT_NOTES))
        if PARK in branches:
            yield self.time.office(rng, 7, 20)
            services.case_park(case_id=cid, actor=dispatcher, reason=texts.PARK_REASONS[0])
            if UNPARK not in branches:
                return  # it stays in the problem register
            yield self.time.office(rng, 150, 400)
            services.case_unpark(case_id=cid, actor=office.deputy or dispatcher, note=texts.UNPARK_NOTES[0])
            yield from self.handle(plan, rng, cid, result, frozenset())
            return
        if branches & OVERSIGHT:
            yield from self.oversee(plan, rng, case, handler, branches)
            case = Case.objects.get(pk=cid)  # an extension or a suspension moved the deadline
        if STALL_UNREPLIED in branches:
            return
        late = rng.random() < LATE_FINISH
        if late and case.finish_deadline is not None:
            yield max(self.time.office(rng, 1, 20, start=case.finish_deadline), plan.hold_until or self.now)
        else:
            yield max(self.time.within(rng, case, 0.1, 0.5), plan.hold_until or self.now)
        case = services.case_reply(case_id=cid, actor=handler, result_text=result)
        verifier = dispatcher
        if plan.grid.community_staff is not None and rng.random() < 0.5:
            verifier = plan.grid.community_staff
        yield self.time.within(rng, case, 0.05, 0.3, late)
        if VERIFY_FAIL in branches:
            note = rng.choice(texts.VERIFY_FAIL_NOTES)
            case = services.case_verify(case_id=cid, actor=verifier, passed=False, note=note)
            yield self.time.within(rng, case, 0.15, 0.5)
            case = services.case_reply(case_id=cid, actor=handler, result_text=rng.choice(texts.REWORK_RESULTS))
            yield self.time.within(rng, case, 0.05, 0.3)
        case = services.case_verify(case_id=cid, actor=verifier, passed=True)
        yield from self.callbacks(plan, rng, case, branches, handler, late)

    def oversee(self, plan: Plan, rng: random.Random, case: Case, handler: User, branches: Set[str]) -> Flow:
        """The side branches while the unit handles: suspension, escalation, supervision, extension."""
        office, dispatcher, cid = plan.office, plan.office.dispatcher, case.pk
        if SUSPEND in branches:
            yield self.time.within(rng, case, 0.1, 0.3)
            services.case_suspend(case_id=cid, actor=dispatcher, reason=rng.choice(texts.SUSPEND_REASONS))
            yield self.time.office(rng, OFFICE_DAY_HOURS, 5 * OFFICE_DAY_HOURS)
            case = services.case_resume(case_id=cid, actor=dispatcher, note=rng.choice(texts.RESUME_NOTES))
        if ESCALATE in branches:
            for _rung in range(3):  # 网格 → 社区 → 街道科室 → 分管领导
                yield self.time.within(rng, case, 0.05, 0.15)
                case = services.case_escalate(case_id=cid, actor=dispatcher, note=texts.ESCALATE_NOTES[0])
        if SUPERVISE in branches:
            yield self.time.within(rng, case, 0.2, 0.4)
            leader, content = office.deputy or dispatcher, rng.choice(texts.SUPERVISION_CONTENTS)
            case = services.case_supervise(case_id=cid, actor=leader, content=content)
            notice = case.supervisions.filter(replied_at=None).order_by("-id").values_list("pk", flat=True).first()
            yield self.time.office(rng, 0.3, 6)
            reply = rng.choice(texts.SUPERVISION_REPLIES)
            if notice is not None:
                services.case_supervision_answer(case_id=cid, supervision_id=notice, actor=handler, reply=reply)
        if EXTENSION in branches:
            yield self.time.within(rng, case, 0.4, 0.7)
            reason, amount = rng.choice(texts.EXTENSION_REASONS), rng.choice([2, 3, 5])
            services.case_extension_request(case_id=cid, actor=handler, amount=amount, reason=reason)
            yield self.time.office(rng, 0.3, 4)
            approve = rng.random() < 0.9
            services.case_extension_decide(case_id=cid, actor=office.deputy or dispatcher, approve=approve)

    def callbacks(
        self,
        plan: Plan,
        rng: random.Random,
        case: Case,
        branches: Set[str] = frozenset(),
        handler: User | None = None,
        late: bool = False,
    ) -> Flow:
        """Call the resident back (rework first when the branch says so), then the residents of merged repeats."""
        cid, dispatcher = case.pk, plan.office.dispatcher
        if case.state == State.CALLBACK:
            yield self.time.within(rng, case, 0.1, 0.6, late or rng.random() < 0.03)
            if REWORK in branches and handler is not None:
                case = services.case_callback(
                    case_id=cid, actor=dispatcher, process_satisfaction=Satisfaction.BASICALLY,
                    result_satisfaction=Satisfaction.DISSATISFIED, resolved=False, rework=True,
                    note=texts.CALLBACK_NOTES[Satisfaction.DISSATISFIED][0],
                )  # fmt: skip
                yield self.time.within(rng, case, 0.15, 0.5)
                case = services.case_reply(case_id=cid, actor=handler, result_text=rng.choice(texts.REWORK_RESULTS))
                yield self.time.within(rng, case, 0.05, 0.3)
                case = services.case_verify(case_id=cid, actor=dispatcher, passed=True)
                yield self.time.within(rng, case, 0.1, 0.6)
            process, result, resolved = rating(rng, None if REWORK in branches else plan.rating)
            if EXCLUDE in branches:
                process, result, resolved = Satisfaction.BASICALLY, Satisfaction.DISSATISFIED, True
            case = services.case_callback(
                case_id=cid, actor=dispatcher, process_satisfaction=process, result_satisfaction=result,
                resolved=resolved, note=rng.choice(texts.CALLBACK_NOTES[result]),
            )  # fmt: skip
            if EXCLUDE in branches and plan.office.principal is not None:
                yield self.time.office(rng, 2, 10)
                services.case_exclusion_request(case_id=cid, actor=dispatcher, reason=texts.EXCLUSION_REASONS[0])
                yield self.time.office(rng, 2, 15)
                services.case_exclusion_decide(case_id=cid, actor=plan.office.principal, approve=True)
        if case.state != State.CLOSED or not plan.repeats:
            return
        repeats = Case.objects.filter(merged_into=cid).exclude(reporter_phone_last4="").order_by("pk")
        for repeat in list(repeats.values_list("pk", flat=True)):
            yield self.time.minutes(rng, 5, 60)
            process, result, resolved = rating(rng)
            services.case_callback(
                case_id=repeat, actor=dispatcher, process_satisfaction=process, result_satisfaction=result,
                resolved=resolved, note=rng.choice(texts.CALLBACK_NOTES[result]),
            )  # fmt: skip

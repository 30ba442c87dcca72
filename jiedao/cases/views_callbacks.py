"""The callback queue (回访) of the office: every resident waiting for a call, oldest deadline first.

Each row carries a quick-entry form that posts to the case action endpoint (cases:act, action "callback"),
so the rating goes through the same adapter, form and service as on the detail page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiedao.cases.choices import Resolution, Stage, State
from jiedao.cases.deadlines import FALLBACK, Light, choose_rule, facts_of, light
from jiedao.cases.forms import CallbackForm
from jiedao.cases.models import Callback, Case, CaseEvent, DeadlineRule
from jiedao.cases.permissions import OFFICE_ROLES
from jiedao.core import clock
from jiedao.core.masking import mask_name, mask_phone
from jiedao.core.scope import q_code_within, scope_of

PAGE_SIZE = 30
MAIN_WAITING = (State.CLOSED, State.CALLBACK)


def _entered_callback(case_ref: str) -> Subquery:
    """When the case named by `case_ref` last entered the callback state (its callback clock started)."""
    return Subquery(
        CaseEvent.objects.filter(case=OuterRef(case_ref), to_state=State.CALLBACK)
        .exclude(from_state=State.CALLBACK)
        .order_by("-at", "-id")
        .values("at")[:1]
    )


def waiting_for_callback(user: Any) -> QuerySet[Case]:
    """The cases of the user's offices waiting for a callback: those in the callback state, and merged cases
    (with a phone to call) whose main case is closed or in callback and that have no callback yet.

    Ordered by callback deadline (a merged case takes its main case's), oldest first; those without one last.
    """
    scope = scope_of(user)
    cases = Case.objects.visible_to(user)
    if not scope.everything:
        # Only the office calls back (permissions.WHO[CALLBACK]): a handler or a leader sees no queue rows.
        cases = cases.filter(q_code_within("scope_code", scope.prefixes_for(*OFFICE_ROLES)))
    merged = (
        Q(resolution=Resolution.MERGED, merged_into__state__in=MAIN_WAITING)
        & ~Q(reporter_phone_last4="")
        & ~Q(Exists(Callback.objects.filter(case=OuterRef("pk"))))
    )
    return (
        cases.filter(Q(state=State.CALLBACK) | merged)
        .annotate(
            due=Coalesce("callback_deadline", "merged_into__callback_deadline"),
            callback_started=_entered_callback("pk"),
            main_callback_started=_entered_callback("merged_into_id"),
        )
        .select_related(
            "main_unit",
            "category__parent__parent",
            "merged_into__main_unit",
            "merged_into__category__parent__parent",
        )
        .order_by(F("due").asc(nulls_last=True), F("merged_into__closed_at").asc(nulls_last=True), "received_at", "id")
    )


@dataclass(frozen=True)
class Row:
    case: Case
    main: Case | None  # the main case of a merged one: its result, unit and deadline are the ones to report
    due: dt.datetime | None
    light: str
    reporter_name: str
    reporter_phone: str
    form: CallbackForm

    @property
    def source(self) -> Case:
        return self.main or self.case


def _form(case: Case) -> CallbackForm:
    form = CallbackForm(prefix="callback", auto_id=f"cb{case.pk}-%s")
    form.fields["note"].widget = django_forms.TextInput()
    if case.merged_into_id is not None:
        # The merged resident is only rated: the main case carries the handling, and any rework.
        del form.fields["rework"]
    return form


def _rows(cases: list[Case], now: dt.datetime) -> list[Row]:
    """Masked reporters, lights on the callback clock and a form per case (one query for the rules)."""
    rules = list(DeadlineRule.objects.filter(stage=Stage.CALLBACK))
    rows = []
    for case in cases:
        main = case.merged_into
        source = main or case
        started = getattr(case, "main_callback_started" if main else "callback_started", None)
        due: dt.datetime | None = getattr(case, "due", None)
        rule = choose_rule(rules, facts_of(source))
        unit = rule.unit if rule is not None else FALLBACK.unit
        colour = light(started_at=started, deadline_at=due, now=now, unit=unit) if due else Light.NONE
        rows.append(
            Row(
                case=case,
                main=main,
                due=due,
                light=colour,
                reporter_name=mask_name(case.reporter_name),
                reporter_phone=mask_phone(case.reporter_phone),
                form=_form(case),
            )
        )
    return rows


@login_required
@require_GET
def callback_queue(request: HttpRequest) -> HttpResponse:
    """The callback team's page: dispatchers and administrators; anyone else finds no such page."""
    scope = scope_of(request.user)
    if not (scope.everything or scope.roles & OFFICE_ROLES):
        raise Http404
    now = clock.now()
    page = Paginator(waiting_for_callback(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/callbacks.html", {"page": page, "rows": _rows(list(page.object_list), now)})

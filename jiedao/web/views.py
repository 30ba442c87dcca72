"""The shell of the web app: the home page of each role and the list of handling units."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiedao.accounts.choices import LEADER_ROLES, Role
from jiedao.accounts.models import RoleAssignment
from jiedao.cases import permissions as case_permissions
from jiedao.cases import selectors as case_selectors
from jiedao.core import clock
from jiedao.core.scope import scope_of
from jiedao.places import selectors as place_selectors
from jiedao.places.choices import Level
from jiedao.units.models import Unit


def _sections(user: Any) -> list[dict[str, Any]]:
    """One section per role the user holds, each about the place or unit it is bound to."""
    sections = []
    assignments = (
        RoleAssignment.objects.filter(user=user)
        .select_related("place__parent", "unit__office")
        .prefetch_related("unit__serves")
        .order_by("role", "place__code")
    )
    for assignment in assignments:
        section: dict[str, Any] = {"role": assignment.role, "role_label": assignment.get_role_display()}
        if assignment.place is not None:
            place = assignment.place
            section["place"] = place
            section["summary"] = place_selectors.place_summary(place)
            if place.level != Level.GRID and (
                assignment.role in LEADER_ROLES or assignment.role in {Role.DISPATCHER, Role.COMMUNITY_STAFF}
            ):
                rows = place_selectors.child_table(place)
                section["children"] = rows
                section["chart_id"] = f"chart-{assignment.pk}"
                section["chart"] = {
                    "seriesHouseholds": str(_("Households")),
                    "seriesGrids": str(_("Grids")),
                    "labels": [row["place"].name for row in rows],
                    "households": [row["households"] for row in rows],
                    "grids": [row["grids"] for row in rows],
                }
            if place.level == Level.GRID:
                section["buildings"] = list(place.buildings.order_by("number")[:50])
        else:
            assert assignment.unit is not None
            section["unit"] = assignment.unit
            section["served"] = list(assignment.unit.serves.all())
        sections.append(section)
    return sections


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    # The day's first move, one tap away: a grid worker reports from the field, a dispatcher registers a demand.
    quick = []
    if case_permissions.can_report_from_field(request.user):
        quick.append({"key": "report", "label": _("Report from the field"), "url": reverse("cases:report")})
    if case_permissions.can_register(request.user):
        quick.append({"key": "register", "label": _("Register a demand"), "url": reverse("cases:new")})
    now = clock.now()
    work = case_selectors.queue_counts(request.user, now)
    context = {
        "quick": quick,
        "work": work,
        "first_things": case_selectors.first_things(request.user, work, now),
        "sections": _sections(request.user),
        "is_superuser": scope.everything,
        "roots": place_selectors.scope_roots(request.user) if scope.everything else [],
    }
    return render(request, "web/home.html", context)


@login_required
@require_GET
def units(request: HttpRequest) -> HttpResponse:
    rows = Unit.objects.visible_to(request.user).select_related("office").prefetch_related("serves")
    return render(request, "web/units.html", {"units": rows})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every site (the admin's pages name no icon): the app's icon."""
    return redirect(static("jiedao/favicon.svg"), permanent=True)

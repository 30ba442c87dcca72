"""Case screens: queues, registration, detail with the actions of the viewer, and the action endpoint.

Views parse and translate errors only; every write is a service call.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiedao.audit.choices import AuditAction
from jiedao.audit.services import audit_record
from jiedao.cases import duplicates, forms, permissions, selectors, services
from jiedao.cases.actions import SERVICES, form_fields, perform
from jiedao.cases.choices import Channel, RequestType, State
from jiedao.cases.errors import InvalidInput
from jiedao.cases.exports import cases_workbook
from jiedao.cases.workflow import Action
from jiedao.core import clock
from jiedao.core.errors import DomainError
from jiedao.core.masking import mask_address, mask_name, mask_phone
from jiedao.core.paging import CappedPaginator
from jiedao.places import geo
from jiedao.places.models import Place
from jiedao.triage import selectors as triage_selectors
from jiedao.triage import services as triage_services
from jiedao.units.models import Unit
from jiedao.web import drafts

PAGE_SIZE = 30


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    queues = selectors.queues_for(request.user)
    if not queues:
        raise Http404
    keys = [q.key for q in queues]
    asked = request.GET.get("queue", "")
    key = asked if asked in keys else keys[0]
    asked_sort = request.GET.get("sort", "")
    sort = asked_sort if asked_sort in selectors.SORTS else selectors.default_sort(key)
    cases = selectors.queue_cases(request.user, key, now, sort)
    filters = {name: request.GET.get(name, "").strip() for name in ("channel", "type", "state", "community", "q")}
    if filters["channel"] in Channel.values:
        cases = cases.filter(channel=filters["channel"])
    if filters["type"] in RequestType.values:
        cases = cases.filter(request_type=filters["type"])
    if filters["state"] in State.values:
        cases = cases.filter(state=filters["state"])
    if filters["community"].isdigit():
        cases = cases.filter(community_id=int(filters["community"]))
    if filters["q"]:
        cases = cases.filter(title__icontains=filters["q"]) | cases.filter(number=filters["q"])
    label = str(selectors.QUEUE_BY_KEY[key].label)
    if request.GET.get("export") == "xlsx":
        rows = selectors.decorate(list(cases[:20000]), now)
        described = "；".join(f"{k}={v}" for k, v in filters.items() if v) or _("none")
        response = HttpResponse(
            cases_workbook(rows, title=label, filters=f"{label}；{described}"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="cases-{key}-{now:%Y%m%d%H%M}.xlsx"'
        return response
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.decorate(list(page.object_list), now)
    communities = Place.objects.within(request.user).filter(level="community").order_by("code")
    return render(
        request,
        "cases/list.html",
        {
            "queues": queues,
            "queue": key,
            "queue_label": label,
            "page": page,
            "filters": filters,
            "sort": sort,
            "channels": Channel.choices,
            "types": RequestType.choices,
            "states": State.choices,
            "communities": communities,
            "query": request.GET.urlencode(),
            "may_register": permissions.can_register(request.user),
        },
    )


def _places_for(user: Any) -> Any:
    return Place.objects.within(user).filter(level__in=["grid", "community"]).order_by("code")


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    if not permissions.can_register(request.user):
        # Unit handlers and leaders work on cases others registered: the Chinese 403 page says so.
        raise PermissionDenied
    form = forms.RegisterForm(request.POST or None, places=_places_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_register(
                actor=request.user,
                channel=data["channel"],
                request_type=data["request_type"],
                urgency=data["urgency"],
                category=data["category"],
                title=data["title"],
                content=data["content"],
                address=data["address"],
                lng=data["lng"],
                lat=data["lat"],
                place=data["place"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                confidential=data["confidential"],
                upstream_number=data["upstream_number"],
                upstream_deadline=data["upstream_deadline"],
            )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            triage_services.suggestion_record_category(case=case, actor=request.user)
            registered = _("Case %(number)s registered.") % {"number": case.number}
            messages.success(request, registered, extra_tags=drafts.tag(drafts.REGISTER))
            return redirect("cases:detail", case_id=case.pk)
    context = {
        "form": form,
        # A form sent back with an error keeps the category picked: shown by its path, not its id.
        "chosen_category": getattr(form, "cleaned_data", {}).get("category"),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "cases/new.html", context)


def _point_of(params: Any) -> tuple[float, float] | None:
    """The form's point (longitude, latitude) when both are numbers in range."""
    try:
        lng, lat = float(params.get("lng", "")), float(params.get("lat", ""))
    except ValueError:
        return None
    return (lng, lat) if -180 <= lng <= 180 and -90 <= lat <= 90 else None


def _grid_of(params: Any, point: tuple[float, float] | None) -> int | None:
    """The grid of the form's point when it lies in one (as registration decides), else the chosen place's id."""
    if point is not None:
        found = geo.resolve_point(*point)
        if found.grid_id is not None:
            return found.grid_id
    place = params.get("place", "")
    return int(place) if place.isdigit() else None


@login_required
@require_POST
def case_duplicates(request: HttpRequest) -> HttpResponse:
    """The registration form's hint of possible duplicates: an htmx fragment, empty when nothing matches.

    POST (with the CSRF header htmx sends), so the reporter's phone never lands in a URL or an access log."""
    params = request.POST
    point = _point_of(params)
    candidates = duplicates.duplicate_candidates(
        user=request.user,
        grid_id=_grid_of(params, point),
        text=duplicates.case_text(params.get("title", ""), params.get("content", "")),
        phone=params.get("reporter_phone", ""),
        address=params.get("address", ""),
        lng=point[0] if point else None,
        lat=point[1] if point else None,
        now=clock.now(),
    )
    return render(request, "cases/_duplicates.html", {"candidates": candidates, "days": duplicates.WINDOW_DAYS})


@login_required
@require_GET
def case_duplicate_list(request: HttpRequest, case_id: int) -> HttpResponse:
    """The "find duplicates" fragment of a case's page: its possible repeats with their reasons and, when the viewer
    may merge this case, a merge into each open one (posted to the merge action with the page's version)."""
    case = permissions.access_case(request.user, case_id)
    candidates = duplicates.case_duplicate_candidates(user=request.user, case=case, now=clock.now())
    version_text = request.GET.get("version", "")
    # The button loads the fragment with htmx; opened otherwise (a new tab), it is a page of its own.
    template = "cases/_case_duplicates.html" if request.headers.get("HX-Request") else "cases/duplicates_page.html"
    return render(
        request,
        template,
        {
            "case": case,
            "candidates": candidates,
            "mergeable": duplicates.mergeable_into(user=request.user, case=case, candidates=candidates),
            "version": int(version_text) if version_text.isdigit() else case.version,
            "days": duplicates.WINDOW_DAYS,
        },
    )


def _units_for(user: Any, case: Any) -> Any:
    return (
        Unit.objects.visible_to(user).active().filter(office__prefix__in=[case.office.prefix, case.office.prefix[:6]])
    )


def _action_forms(request: HttpRequest, case: Any, actions: list[str]) -> list[dict[str, Any]]:
    result = []
    unit_proposals = None
    for action in actions:
        form_class = forms.ACTION_FORMS.get(action)
        form = None
        proposals = None
        if form_class is not None:
            kwargs: dict[str, Any] = {"prefix": action}
            if action in (Action.DISPATCH, Action.REDISPATCH):
                kwargs["units"] = _units_for(request.user, case)
                if action == Action.DISPATCH:
                    kwargs["main_dispatched"] = case.main_unit_id is not None
                if unit_proposals is None:
                    unit_proposals = triage_selectors.suggest_units(
                        title=case.title, content=case.content, units=kwargs["units"]
                    )
                proposals = unit_proposals
            if action == Action.REQUEST_EXTENSION:
                kwargs["case"] = case
            form = form_class(**kwargs)
        result.append(
            {
                "action": action,
                "label": Action(action).label,
                "form": form,
                "suggestions": proposals,
                "draft": drafts.case_action(case.pk, action),
            }
        )
    return result


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = permissions.access_case(request.user, case_id)
    now = clock.now()
    selectors.decorate([case], now)
    facts = permissions.dispatch_facts(case)
    may_unmask = permissions.can(request.user, case, Action.VIEW_PERSONAL_DATA, facts)
    # A whistle-blower's identity never reaches the units; others see masked values.
    hide_reporter = case.confidential and not may_unmask
    actions = selectors.available_actions(request.user, case)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "detail": selectors.case_detail(case),
            "actions": _action_forms(request, case, actions),
            "reporter_name": "" if hide_reporter else mask_name(case.reporter_name),
            "reporter_phone": "" if hide_reporter else mask_phone(case.reporter_phone),
            "address": case.address if may_unmask else mask_address(case.address),
            "may_unmask": may_unmask and bool(case.reporter_phone or case.reporter_name),
            "now": now,
        },
    )


@login_required
@require_POST
def case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    case = permissions.access_case(request.user, case_id)
    if action not in SERVICES:
        raise Http404
    form_class = forms.ACTION_FORMS.get(action)
    data: dict[str, Any] = {}
    if form_class is not None:
        kwargs: dict[str, Any] = {"prefix": action}
        if action in (Action.DISPATCH, Action.REDISPATCH):
            kwargs["units"] = _units_for(request.user, case)
        # (the role is not narrowed here: a case dispatched meanwhile gets the service's own explanation)
        form = form_class(request.POST, **kwargs)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                text = "；".join(str(error) for error in errors)
                messages.error(request, f"{label}：{text}" if label else text)
            return redirect("cases:detail", case_id=case.pk)
        data = form.cleaned_data
    version_text = request.POST.get("version", "")
    version = int(version_text) if version_text.isdigit() else None
    try:
        perform(action, case.pk, request.user, form_fields(data), version)
    except InvalidInput as exc:
        messages.error(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = _("Done: %(action)s.") % {"action": Action(action).label}
        messages.success(request, done, extra_tags=drafts.tag(drafts.case_action(case.pk, action)))
        if action in (Action.DISPATCH, Action.REDISPATCH) and data.get("unit") is not None:
            triage_services.suggestion_record_unit(
                case=case, unit=data["unit"], units=kwargs["units"], actor=request.user
            )
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def case_reveal(request: HttpRequest, case_id: int) -> HttpResponse:
    """Show the reporter's full name and phone to a role that needs them (to call back); the view is audited."""
    case = permissions.access_case(request.user, case_id)
    if not permissions.can(request.user, case, Action.VIEW_PERSONAL_DATA):
        return HttpResponse(_("You may not see the reporter's full contact."), status=403)
    audit_record(
        action=AuditAction.PII_VIEW,
        actor=request.user,
        request=request,
        obj=case,
        field="reporter",
        scope_code=case.scope_code,
    )
    return HttpResponse(format_html('<span class="pii-full">{} {}</span>', case.reporter_name, case.reporter_phone))

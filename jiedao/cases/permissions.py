"""Who may do what to a case. One table maps each action to the kinds of people who may take it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jiedao.accounts.choices import Role
from jiedao.cases.models import Case
from jiedao.cases.workflow import Action
from jiedao.core.access import get_visible
from jiedao.core.errors import ActionForbidden
from jiedao.core.scope import Scope, scope_of

OFFICE = "office"  # dispatchers (and administrators) of the case's office
LEADER = "leader"  # deputy and principal leaders of the case's office
HANDLER = "handler"  # handlers of a unit the case is actively dispatched to
UNSIGNED = "unsigned"  # handlers of such a unit that has not signed for it yet
MAIN_HANDLER = "main_handler"  # handlers of the active main unit
SUPERVISED = "supervised"  # handlers of the unit an open supervision notice is addressed to
COMMUNITY = "community"  # community staff and grid leaders of the case's community (checks of on-the-spot fixes)
REPORTER = "reporter"  # who registered it from the field and still works in its place (photos, on-the-spot fix)

WHO: dict[str, frozenset[str]] = {
    Action.ACCEPT: frozenset({OFFICE}),
    Action.REJECT: frozenset({OFFICE}),
    Action.ANSWER: frozenset({OFFICE}),
    Action.DISPATCH: frozenset({OFFICE}),
    Action.REDISPATCH: frozenset({OFFICE}),
    Action.REFUSE_RETURN: frozenset({OFFICE}),
    Action.SIGN: frozenset({UNSIGNED}),
    Action.RETURN: frozenset({MAIN_HANDLER}),
    Action.CONTACT: frozenset({HANDLER}),
    Action.REPLY: frozenset({MAIN_HANDLER}),
    Action.REQUEST_EXTENSION: frozenset({MAIN_HANDLER}),
    Action.DECIDE_EXTENSION: frozenset({OFFICE, LEADER}),
    Action.VERIFY: frozenset({OFFICE, COMMUNITY}),
    Action.CALLBACK: frozenset({OFFICE}),
    Action.REWORK: frozenset({OFFICE}),
    Action.CLOSE: frozenset({OFFICE}),
    Action.ARCHIVE: frozenset({OFFICE}),
    Action.SUSPEND: frozenset({OFFICE}),
    Action.RESUME: frozenset({OFFICE}),
    Action.PARK: frozenset({OFFICE, LEADER}),
    Action.UNPARK: frozenset({OFFICE, LEADER}),
    Action.SUPERVISE: frozenset({OFFICE, LEADER}),
    Action.ANSWER_SUPERVISION: frozenset({SUPERVISED}),
    Action.ESCALATE: frozenset({OFFICE, LEADER, HANDLER, COMMUNITY}),
    Action.MERGE: frozenset({OFFICE}),
    Action.VOID: frozenset({OFFICE}),
    Action.REQUEST_EXCLUSION: frozenset({OFFICE}),
    Action.DECIDE_EXCLUSION: frozenset({LEADER}),
    Action.NOTE: frozenset({OFFICE, LEADER, HANDLER, COMMUNITY, REPORTER}),
    Action.SELF_HANDLE: frozenset({REPORTER}),
    Action.VIEW_PERSONAL_DATA: frozenset({OFFICE, COMMUNITY}),
}

OFFICE_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
LEADER_ROLES = frozenset({Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER})
COMMUNITY_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.GRID_LEADER})
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF})
REGISTER_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN, Role.COMMUNITY_STAFF, Role.GRID_LEADER, Role.GRID_WORKER})


def _covers(scope: Scope, roles: frozenset[str], code: str) -> bool:
    return any(code.startswith(prefix) for prefix in scope.prefixes_for(*roles))


def kinds_of(
    user: Any,
    case: Case,
    *,
    active_units: set[int],
    main_unit: int | None,
    supervised_units: set[int],
    unsigned_units: set[int],
) -> set[str]:
    """The kinds of actor the user is for this case (pure, given the case's current dispatch facts)."""
    scope = scope_of(user)
    if scope.everything:  # everyone at once, but 签收 only while some unit has not signed
        return {OFFICE, LEADER, HANDLER, MAIN_HANDLER, SUPERVISED, COMMUNITY, REPORTER} | (
            {UNSIGNED} if unsigned_units else set()
        )
    kinds: set[str] = set()
    if _covers(scope, OFFICE_ROLES, case.scope_code):
        kinds.add(OFFICE)
    if _covers(scope, LEADER_ROLES, case.scope_code):
        kinds.add(LEADER)
    if case.community_id is not None and _covers(scope, COMMUNITY_ROLES, case.scope_code):
        kinds.add(COMMUNITY)
    reported = case.created_by_id is not None and case.created_by_id == getattr(user, "pk", None)
    if reported and _covers(scope, FIELD_ROLES, case.scope_code):
        kinds.add(REPORTER)
    if scope.unit_ids & active_units:
        kinds.add(HANDLER)
    if scope.unit_ids & unsigned_units:  # 签收 is offered only until his unit has signed
        kinds.add(UNSIGNED)
    if main_unit is not None and main_unit in scope.unit_ids:
        kinds.add(MAIN_HANDLER)
    if scope.unit_ids & supervised_units:
        kinds.add(SUPERVISED)
    return kinds


def dispatch_facts(case: Case) -> dict[str, Any]:
    """The unit facts the predicates need, in two queries."""
    active = list(case.dispatches.filter(active=True).values_list("unit_id", "role", "signed_at"))
    supervised = set(case.supervisions.filter(replied_at__isnull=True).values_list("unit_id", flat=True))
    main = next((unit for unit, role, _signed in active if role == "main"), None)
    return {
        "active_units": {unit for unit, _role, _signed in active},
        "main_unit": main,
        "supervised_units": supervised,
        "unsigned_units": {unit for unit, _role, signed in active if signed is None},
    }


def can(user: Any, case: Case, action: str, facts: dict[str, Any] | None = None) -> bool:
    """Whether the user may take `action` on the case (regardless of its state: the workflow table says that)."""
    if action == Action.REGISTER:
        return can_register_at(user, case.scope_code)
    allowed = WHO.get(action, frozenset())
    return bool(kinds_of(user, case, **(facts or dispatch_facts(case))) & allowed)


def require(user: Any, case: Case, action: str, facts: dict[str, Any] | None = None) -> None:
    """Raise ActionForbidden unless the user may take `action` on the case."""
    if not can(user, case, action, facts):
        raise ActionForbidden(_("You may not “%(action)s” on this case.") % {"action": Action(action).label})


def can_report_from_field(user: Any) -> bool:
    """Whether the user sends reports from the field (grid workers and leaders, community staff)."""
    scope = scope_of(user)
    return scope.everything or bool(scope.roles & FIELD_ROLES)


def can_register(user: Any) -> bool:
    """Whether the user registers demands anywhere at all (dispatchers, community staff, grid workers)."""
    scope = scope_of(user)
    return scope.everything or bool(scope.roles & REGISTER_ROLES)


def can_register_at(user: Any, scope_code: str) -> bool:
    """Dispatchers register anywhere in their office; community staff and grid workers inside their own places."""
    scope = scope_of(user)
    return scope.everything or _covers(scope, REGISTER_ROLES, scope_code)


def access_case(user: Any, case_id: int) -> Case:
    """Fetch a case the user may see; Http404 for missing and forbidden alike."""
    visible = Case.objects.visible_to(user, narrow=True)
    return get_visible(visible.select_related("office", "community", "grid", "category", "main_unit"), case_id)

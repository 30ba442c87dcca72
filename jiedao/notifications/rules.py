"""Who is told about what happens to a case, and through which channels.

People are found by their role assignments, as data:
- a unit's handlers: unit_handler bound to that unit;
- the office's dispatchers or leaders: the role bound to the case's office; when the office has none, the
  district's (the nearest level that has someone), so a warning never goes nowhere;
- the ladder (网格 → 社区 → 街道科室 → 分管领导 → 主要领导): grid workers and grid leaders of the case's grid;
  community staff and grid leaders of its community; the main unit's handlers and the dispatchers; the deputy
  leaders; the principal leaders. A rung with nobody on it falls back to the dispatchers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.cases.choices import Escalation
from jiedao.cases.models import Case
from jiedao.core.scope import PREFIX_LENGTHS
from jiedao.notifications import channels
from jiedao.notifications.choices import INAPP, Kind

DISPATCHERS = frozenset({Role.DISPATCHER})
LEADERS = frozenset({Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER})

SMS, WECOM = "sms", "wecom"
# Which channels each kind goes through (settings.NOTIFICATION_KIND_CHANNELS may override a kind); a channel
# the deployment does not configure is left out. Urgent matters also go by SMS.
KIND_CHANNELS: dict[str, tuple[str, ...]] = {
    Kind.DISPATCHED: (INAPP, SMS, WECOM),
    Kind.RETURNED: (INAPP, WECOM),
    Kind.EXTENSION_REQUESTED: (INAPP, WECOM),
    Kind.SUPERVISED: (INAPP, SMS, WECOM),
    Kind.ESCALATED: (INAPP, WECOM),
    Kind.YELLOW: (INAPP, WECOM),
    Kind.RED: (INAPP, SMS, WECOM),
    Kind.UNSIGNED: (INAPP, SMS, WECOM),
    Kind.SILENT: (INAPP, WECOM),
    Kind.DISSATISFIED: (INAPP, SMS, WECOM),
}


def channels_for(kind: str) -> tuple[str, ...]:
    """The channels of `kind` that this deployment has: the in-app centre and the configured outbound ones."""
    overrides: dict[str, Iterable[str]] = getattr(settings, "NOTIFICATION_KIND_CHANNELS", {})
    wanted = tuple(overrides.get(kind, KIND_CHANNELS.get(kind, (INAPP,))))
    available = channels.configured()
    return tuple(name for name in wanted if name == INAPP or name in available)


def _office_prefixes(case: Case) -> list[str]:
    """The office's prefix and the district's (a case's scope code starts with both)."""
    return [case.scope_code[:n] for n in PREFIX_LENGTHS[:2]]


def office_people(case: Case, roles: Iterable[str]) -> set[int]:
    """Ids of active users holding one of `roles` at the case's office, else at its district."""
    rows = list(
        RoleAssignment.objects.filter(
            role__in=sorted(roles), place__prefix__in=_office_prefixes(case), user__is_active=True
        ).values_list("user_id", "place__prefix")
    )
    if not rows:
        return set()
    nearest = max(len(prefix) for _user, prefix in rows)
    return {user for user, prefix in rows if len(prefix) == nearest}


def unit_handlers(unit_id: int | None) -> set[int]:
    if unit_id is None:
        return set()
    return set(
        RoleAssignment.objects.filter(role=Role.UNIT_HANDLER, unit_id=unit_id, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def place_people(prefix: str, roles: Iterable[str]) -> set[int]:
    return set(
        RoleAssignment.objects.filter(role__in=sorted(roles), place__prefix=prefix, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def ladder_people(case: Case, level: int) -> set[int]:
    """The people on rung `level` of the escalation ladder for this case (the dispatchers if nobody is)."""
    found: set[int] = set()
    if level == Escalation.GRID and case.grid_id is not None:
        found = place_people(case.scope_code[:15], {Role.GRID_WORKER, Role.GRID_LEADER})
    elif level == Escalation.COMMUNITY and case.community_id is not None:
        found = place_people(case.scope_code[:12], {Role.COMMUNITY_STAFF, Role.GRID_LEADER})
    elif level == Escalation.DEPARTMENT:
        found = unit_handlers(case.main_unit_id) | office_people(case, DISPATCHERS)
    elif level == Escalation.DEPUTY_LEADER:
        found = office_people(case, {Role.DEPUTY_LEADER})
    elif level == Escalation.PRINCIPAL_LEADER:
        found = office_people(case, {Role.PRINCIPAL_LEADER})
    return found or office_people(case, DISPATCHERS)


def recipient_ids(case: Case, event: str, *, unit_id: int | None = None, level: int | None = None) -> set[int]:
    """Ids of the people to tell about `event` (a Kind) on `case`.

    `unit_id` names the unit for dispatch, supervision and sign-off events (default: the main unit); `level` the
    rung reached for an escalation (default: the case's current level).
    """
    unit = unit_id if unit_id is not None else case.main_unit_id
    if event in (Kind.DISPATCHED, Kind.SUPERVISED):
        return unit_handlers(unit)
    if event in (Kind.RETURNED, Kind.EXTENSION_REQUESTED, Kind.SILENT):
        return office_people(case, DISPATCHERS)
    if event == Kind.YELLOW:
        # With the unit while it handles; with the office while nobody else has it.
        return unit_handlers(unit) or office_people(case, DISPATCHERS)
    if event in (Kind.RED, Kind.UNSIGNED):
        return unit_handlers(unit) | office_people(case, DISPATCHERS)
    if event == Kind.DISSATISFIED:
        return office_people(case, LEADERS)
    if event == Kind.ESCALATED:
        return ladder_people(case, case.escalation if level is None else level)
    return set()


def recipients_for(case: Case, event: str, *, unit_id: int | None = None, level: int | None = None) -> list[User]:
    """The active users to tell about `event` (a Kind) on `case`, by id; see recipient_ids()."""
    ids = recipient_ids(case, event, unit_id=unit_id, level=level)
    return list(User.objects.filter(pk__in=sorted(ids), is_active=True).order_by("pk")) if ids else []

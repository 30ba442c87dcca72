from django.db import models
from django.utils.translation import gettext_lazy as _

from jiedao.places.choices import Level


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    GRID_LEADER = "grid_leader", _("Grid leader")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    DISPATCHER = "dispatcher", _("Dispatcher")
    UNIT_HANDLER = "unit_handler", _("Unit handler")
    DEPUTY_LEADER = "deputy_leader", _("Deputy leader")
    PRINCIPAL_LEADER = "principal_leader", _("Principal leader")
    ADMIN = "admin", _("Administrator")


# The levels of place each role may be bound to; the unit handler is bound to a unit instead.
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    Role.GRID_WORKER: (Level.GRID,),
    Role.GRID_LEADER: (Level.GRID, Level.COMMUNITY),
    Role.COMMUNITY_STAFF: (Level.COMMUNITY,),
    Role.DISPATCHER: (Level.SUBDISTRICT, Level.DISTRICT),
    Role.UNIT_HANDLER: (),
    Role.DEPUTY_LEADER: (Level.SUBDISTRICT, Level.DISTRICT),
    Role.PRINCIPAL_LEADER: (Level.SUBDISTRICT, Level.DISTRICT),
    Role.ADMIN: (Level.SUBDISTRICT, Level.DISTRICT),
}

LEADER_ROLES = frozenset({Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER})
# Roles whose duty needs full personal data (to call a resident back, to verify a person).
FULL_PII_ROLES = frozenset({Role.DISPATCHER, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.GRID_LEADER, Role.ADMIN})

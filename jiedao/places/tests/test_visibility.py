"""The visibility matrix: every role × an object inside and outside its scope, for every model."""

from __future__ import annotations

import pytest
from django.http import Http404

from jiedao.accounts.models import RoleAssignment, User
from jiedao.accounts.permissions import access_user
from jiedao.places.models import Building, Entrance, House, Place
from jiedao.places.permissions import access_building, access_place
from jiedao.units.models import Unit

# persona -> (names of world objects it must see, names it must not see), per model.
PLACES = {
    "grid_worker": ({"grid_a1", "community_a", "office"}, {"grid_a2", "grid_b1", "community_b", "grid_c1"}),
    "grid_leader": ({"grid_a1", "grid_a2", "community_a"}, {"grid_b1", "community_b", "community_c"}),
    "community_staff": ({"grid_a1", "grid_a2", "community_a"}, {"grid_b1", "community_b", "grid_c1"}),
    "dispatcher": ({"grid_a1", "grid_b1", "community_b", "office"}, {"grid_c1", "community_c", "other_office"}),
    "unit_handler": ({"grid_a1", "grid_a2", "community_a"}, {"grid_b1", "community_b", "grid_c1"}),
    "deputy_leader": ({"grid_a1", "grid_b1", "office"}, {"grid_c1", "other_office"}),
    "principal_leader": ({"grid_a1", "grid_b1", "office"}, {"grid_c1", "other_office"}),
    "office_admin": ({"grid_a1", "grid_b1", "office"}, {"grid_c1", "other_office"}),
    "outsider": ({"grid_b1", "community_b"}, {"grid_a1", "grid_a2", "community_a", "grid_c1"}),
}
BUILDINGS = {
    "grid_worker": ({"building_a1"}, {"building_b1", "building_c1"}),
    "grid_leader": ({"building_a1"}, {"building_b1", "building_c1"}),
    "community_staff": ({"building_a1"}, {"building_b1", "building_c1"}),
    "dispatcher": ({"building_a1", "building_b1"}, {"building_c1"}),
    "unit_handler": ({"building_a1"}, {"building_b1", "building_c1"}),
    "deputy_leader": ({"building_a1", "building_b1"}, {"building_c1"}),
    "principal_leader": ({"building_a1", "building_b1"}, {"building_c1"}),
    "office_admin": ({"building_a1", "building_b1"}, {"building_c1"}),
    "outsider": ({"building_b1"}, {"building_a1", "building_c1"}),
}
HOUSES = {
    persona: (
        {name.replace("building", "house") for name in inside if not name.endswith("c1")},
        {name.replace("building", "house") for name in outside if not name.endswith("c1")},
    )
    for persona, (inside, outside) in BUILDINGS.items()
}
UNITS = {
    "grid_worker": ({"unit_urban", "unit_property_a"}, {"unit_other_office"}),
    "grid_leader": ({"unit_urban", "unit_property_a"}, {"unit_other_office"}),
    "community_staff": ({"unit_urban", "unit_property_a"}, {"unit_other_office"}),
    "dispatcher": ({"unit_urban", "unit_property_a"}, {"unit_other_office"}),
    "unit_handler": ({"unit_urban", "unit_property_a"}, {"unit_other_office"}),
    "deputy_leader": ({"unit_urban", "unit_property_a"}, {"unit_other_office"}),
    "principal_leader": ({"unit_urban", "unit_property_a"}, {"unit_other_office"}),
    "office_admin": ({"unit_urban", "unit_property_a"}, {"unit_other_office"}),
    "outsider": ({"unit_urban", "unit_property_a"}, {"unit_other_office"}),
}
PERSONAS = sorted(PLACES)


def _ids(world, names):
    return {getattr(world, name).pk for name in names}


@pytest.mark.parametrize("persona", PERSONAS)
def test_places_visible_to_each_role(request, world, persona):
    user = request.getfixturevalue(persona)
    inside, outside = PLACES[persona]
    visible = set(Place.objects.visible_to(user).values_list("pk", flat=True))
    assert _ids(world, inside) <= visible
    assert not _ids(world, outside) & visible


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_place_gives_404_outside_scope_and_for_missing(request, world, persona):
    user = request.getfixturevalue(persona)
    inside, outside = PLACES[persona]
    for name in inside:
        assert access_place(user, getattr(world, name).pk) == getattr(world, name)
    for name in outside:
        with pytest.raises(Http404):
            access_place(user, getattr(world, name).pk)
    with pytest.raises(Http404):
        access_place(user, 999_999)


@pytest.mark.parametrize("persona", PERSONAS)
def test_buildings_entrances_and_houses_visible_to_each_role(request, world, persona):
    user = request.getfixturevalue(persona)
    inside, outside = BUILDINGS[persona]
    visible = set(Building.objects.visible_to(user).values_list("pk", flat=True))
    assert _ids(world, inside) <= visible
    assert not _ids(world, outside) & visible
    for name in outside:
        with pytest.raises(Http404):
            access_building(user, getattr(world, name).pk)
    entrances = set(Entrance.objects.visible_to(user).values_list("building_id", flat=True))
    assert _ids(world, inside) <= entrances
    assert not _ids(world, outside) & entrances
    h_inside, h_outside = HOUSES[persona]
    houses = set(House.objects.visible_to(user).values_list("pk", flat=True))
    assert _ids(world, h_inside) <= houses
    assert not _ids(world, h_outside) & houses


@pytest.mark.parametrize("persona", PERSONAS)
def test_units_visible_to_each_role(request, world, persona):
    user = request.getfixturevalue(persona)
    inside, outside = UNITS[persona]
    visible = set(Unit.objects.visible_to(user).values_list("pk", flat=True))
    assert _ids(world, inside) <= visible
    assert not _ids(world, outside) & visible


def test_users_and_roles_visible_within_scope(world, dispatcher, grid_worker, outsider, unit_handler):
    # Given people in community A, in community B and in a unit of the office
    # then the dispatcher (office) sees all of them
    assert {grid_worker.pk, outsider.pk, unit_handler.pk} <= set(
        User.objects.visible_to(dispatcher).values_list("pk", flat=True)
    )
    # and the outsider (community B) sees himself but neither A's grid worker nor the unit handler
    seen_by_outsider = set(User.objects.visible_to(outsider).values_list("pk", flat=True))
    assert outsider.pk in seen_by_outsider
    assert grid_worker.pk not in seen_by_outsider
    with pytest.raises(Http404):
        access_user(outsider, grid_worker.pk)
    roles_seen = set(RoleAssignment.objects.visible_to(outsider).values_list("user_id", flat=True))
    assert grid_worker.pk not in roles_seen


def test_anonymous_and_roleless_users_see_nothing(world, db):
    from django.contrib.auth.models import AnonymousUser

    from jiedao.accounts.tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    for user in (AnonymousUser(), nobody):
        assert not Place.objects.visible_to(user).exists()
        assert not Building.objects.visible_to(user).exists()
        assert not Unit.objects.visible_to(user).exists()


def test_superuser_sees_every_office(world, superuser):
    assert Place.objects.visible_to(superuser).count() == Place.objects.count()
    assert Unit.objects.visible_to(superuser).count() == Unit.objects.count()


def test_other_office_dispatcher_sees_only_his_office(world):
    from conftest import _persona

    other = _persona("other_dispatcher", "dispatcher", place=world.other_office)
    visible = set(Place.objects.visible_to(other).values_list("pk", flat=True))
    assert world.grid_c1.pk in visible
    assert not {world.grid_a1.pk, world.grid_b1.pk, world.office.pk} & visible


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_unit_gives_404_outside_scope(request, world, persona):
    from jiedao.units.permissions import access_unit

    user = request.getfixturevalue(persona)
    inside, outside = UNITS[persona]
    for name in inside:
        assert access_unit(user, getattr(world, name).pk) == getattr(world, name)
    for name in outside:
        with pytest.raises(Http404):
            access_unit(user, getattr(world, name).pk)


def test_audit_events_in_the_admin_are_limited_to_the_office(client, world, office_admin, outsider):
    from django.urls import reverse

    from conftest import _persona
    from jiedao.audit.choices import AuditAction
    from jiedao.audit.services import audit_record

    far = _persona("far_dispatcher", "dispatcher", place=world.other_office)
    audit_record(action=AuditAction.PII_VIEW, actor=outsider, field="phone")
    audit_record(action=AuditAction.PII_VIEW, actor=far, field="phone")
    client.force_login(office_admin)
    html = client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    assert "outsider" in html
    assert "far_dispatcher" not in html

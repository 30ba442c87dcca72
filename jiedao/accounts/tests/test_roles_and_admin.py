"""Role binding rules, the role services, and the admin site scoped like every other screen."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.accounts.services import role_grant, role_revoke
from jiedao.accounts.tests.factories import UserFactory
from jiedao.audit.models import AuditEvent


@pytest.mark.parametrize(
    ("role", "place_name"),
    [
        (Role.GRID_WORKER, "community_a"),
        (Role.COMMUNITY_STAFF, "grid_a1"),
        (Role.DISPATCHER, "community_a"),
        (Role.PRINCIPAL_LEADER, "grid_a1"),
        (Role.ADMIN, "community_a"),
    ],
)
def test_role_grant_refuses_a_place_of_the_wrong_level(world, role, place_name):
    user = UserFactory()
    with pytest.raises(ValidationError):
        role_grant(user=user, role=role, place=getattr(world, place_name))
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_unit_handler_needs_a_unit_and_no_place(world):
    user = UserFactory()
    with pytest.raises(ValidationError):
        role_grant(user=user, role=Role.UNIT_HANDLER, place=world.office)
    assert role_grant(user=user, role=Role.UNIT_HANDLER, unit=world.unit_urban).unit == world.unit_urban


def test_the_database_refuses_a_role_bound_to_both_place_and_unit(world):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.DISPATCHER, place=world.office, unit=world.unit_urban)


def test_a_user_may_hold_several_roles_and_sees_their_union(world):
    from jiedao.places.models import Place

    user = UserFactory()
    role_grant(user=user, role=Role.GRID_WORKER, place=world.grid_a1)
    role_grant(user=user, role=Role.GRID_WORKER, place=world.grid_b1)
    user = User.objects.get(pk=user.pk)
    visible = set(Place.objects.within(user).values_list("pk", flat=True))
    assert visible == {world.grid_a1.pk, world.grid_b1.pk}


def test_granting_twice_changes_nothing(world):
    user = UserFactory()
    first = role_grant(user=user, role=Role.DISPATCHER, place=world.office)
    assert role_grant(user=user, role=Role.DISPATCHER, place=world.office) == first
    assert AuditEvent.objects.filter(action="role_granted").count() == 1


def test_admin_role_opens_and_closes_the_admin_site(world):
    user = UserFactory()
    assignment = role_grant(user=user, role=Role.ADMIN, place=world.office)
    user.refresh_from_db()
    assert user.is_staff and user.has_perm("places.change_place")
    role_revoke(assignment=assignment)
    user = User.objects.get(pk=user.pk)
    assert not user.is_staff
    assert AuditEvent.objects.filter(action="role_revoked").exists()


def test_office_admin_sees_only_his_office_in_the_admin(client, office_admin, world):
    client.force_login(office_admin)
    html = client.get(reverse("admin:places_place_changelist")).content.decode()
    assert world.grid_a1.code in html
    assert world.grid_c1.code not in html
    assert client.get(reverse("admin:places_place_change", args=[world.grid_c1.pk])).status_code in (302, 404)
    assert client.get(reverse("admin:places_place_change", args=[world.grid_a1.pk])).status_code == 200


def test_office_admin_cannot_change_a_place_of_another_office(client, office_admin, world):
    client.force_login(office_admin)
    response = client.post(
        reverse("admin:places_place_change", args=[world.grid_c1.pk]), {"name": "改名", "code": world.grid_c1.code}
    )
    world.grid_c1.refresh_from_db()
    assert world.grid_c1.name != "改名"
    assert response.status_code in (302, 403, 404)


def test_office_admin_sees_units_and_users_of_his_office_only(client, office_admin, world, outsider):
    other = UserFactory(username="far_away")
    role_grant(user=other, role=Role.DISPATCHER, place=world.other_office)
    client.force_login(office_admin)
    units = client.get(reverse("admin:units_unit_changelist")).content.decode()
    assert world.unit_urban.name in units and world.unit_other_office.name not in units
    users = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "outsider" in users and "far_away" not in users


def test_admin_user_list_masks_phones(client, office_admin, outsider):
    client.force_login(office_admin)
    html = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert outsider.phone not in html
    assert f"{outsider.phone[:3]}****{outsider.phone[-4:]}" in html


def test_admin_role_inline_goes_through_the_service(client, office_admin, world):
    target = UserFactory(username="newcomer", office=world.office)
    client.force_login(office_admin)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "username": "newcomer",
        "full_name": "新人",
        "phone": "",
        "title": "",
        "email": "",
        "is_active": "on",
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-role": "grid_worker",
        "role_assignments-0-place": str(world.grid_a2.pk),
        "role_assignments-0-unit": "",
        "role_assignments-0-user": str(target.pk),
        "office": str(world.office.pk),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RoleAssignment.objects.filter(user=target, role="grid_worker", place=world.grid_a2).exists()
    assert AuditEvent.objects.filter(action="role_granted", object_id=str(target.pk)).exists()


def test_non_staff_roles_cannot_enter_the_admin(client, dispatcher):
    client.force_login(dispatcher)
    assert client.get(reverse("admin:index")).status_code == 302

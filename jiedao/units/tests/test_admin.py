"""Deleting in the admin: a unit or place that cases refer to is refused quickly, naming a few of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.models import Case
from jiedao.core.admin import PROTECTED_SHOWN
from jiedao.units.models import Unit

pytestmark = pytest.mark.django_db


def _cases_of(unit, dispatcher, grid, count):
    for n in range(count):
        case = services.case_register(
            actor=dispatcher,
            channel=Channel.PHONE,
            request_type=RequestType.COMPLAINT,
            title=f"夜间施工噪音{n}",
            content="工地夜间施工，噪音扰民。",
            place=grid,
        )
        services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=unit.pk)


def test_a_unit_with_cases_is_refused_naming_a_few_of_them_and_counting_the_rest(client, world, dispatcher, superuser):
    # Given a unit that is the main unit of twelve cases
    unit = world.unit_urban
    _cases_of(unit, dispatcher, world.grid_a1, PROTECTED_SHOWN + 2)
    client.force_login(superuser)
    url = reverse("admin:units_unit_delete", args=[unit.pk])

    # When the administrator opens its deletion page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    # Then it is refused: ten cases and ten dispatches are named, the other two of each counted, in a few queries
    html = response.content.decode()
    assert response.status_code == 200 and response.context["protected"]
    named = Case.objects.order_by("pk")[:PROTECTED_SHOWN]
    assert all(str(case) in html for case in named)
    assert str(Case.objects.order_by("pk").last()) not in html
    assert f"派单: {named[0].number} → {unit.name} (主办单位)" in html
    assert html.count("还有 2 条（共 12 条）") == 2  # the cases, and the dispatches
    assert len(queries) < 30

    # And posting the deletion anyway deletes nothing
    client.post(url, {"post": "yes"})
    assert Unit.objects.filter(pk=unit.pk).exists()


def test_a_unit_nothing_refers_to_is_deleted(client, world, superuser):
    unit = Unit.objects.create(name="临时专班", kind="department", sector="urban", office=world.office)
    client.force_login(superuser)
    url = reverse("admin:units_unit_delete", args=[unit.pk])
    response = client.get(url)
    assert response.status_code == 200 and not response.context["protected"]
    client.post(url, {"post": "yes"})
    assert not Unit.objects.filter(pk=unit.pk).exists()


def test_deleting_selected_units_refuses_those_cases_refer_to(client, world, dispatcher, superuser):
    # Given one unit with a case and one without
    _cases_of(world.unit_urban, dispatcher, world.grid_a1, 1)
    spare = Unit.objects.create(name="临时专班", kind="department", sector="urban", office=world.office)
    client.force_login(superuser)

    # When both are deleted through the list's action
    response = client.post(
        reverse("admin:units_unit_changelist"),
        {"action": "delete_selected", "_selected_action": [world.unit_urban.pk, spare.pk], "post": "yes"},
    )

    # Then nothing is deleted, and the page says which case stands in the way
    assert response.status_code == 200 and response.context["protected"]
    assert str(Case.objects.get()) in response.content.decode()
    assert Unit.objects.filter(pk__in=[world.unit_urban.pk, spare.pk]).count() == 2

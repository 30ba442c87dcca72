import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, Stage, Urgency
from jiedao.cases.deadlines import Light, choose_rule, facts_of, light, limit_for
from jiedao.cases.models import Case, DeadlineRule
from jiedao.cases.permissions import access_case
from jiedao.cases.tests.conftest import SHANGHAI
from jiedao.workdays.choices import LimitUnit


def _register(actor, lng="120.005"):
    return services.case_register(
        actor=actor,
        channel=Channel.PHONE,
        request_type=RequestType.HELP,
        title="噪音",
        content="夜间施工噪音",
        lng=lng,
        lat="30.005",
    )


VISIBLE = {
    "grid_worker": {"a1"},
    "grid_leader": {"a1", "a2"},
    "community_staff": {"a1", "a2"},
    "dispatcher": {"a1", "a2", "b1"},
    "deputy_leader": {"a1", "a2", "b1"},
    "principal_leader": {"a1", "a2", "b1"},
    "office_admin": {"a1", "a2", "b1"},
    "outsider": {"b1"},
    "unit_handler": {"a2"},  # only the case dispatched to his unit
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_cases_visible_to_each_role(request, world, dispatcher, now, persona):
    cases = {
        "a1": _register(dispatcher, "120.005"),
        "a2": _register(dispatcher, "120.015"),
        "b1": _register(dispatcher, "120.025"),
    }
    services.case_dispatch(case_id=cases["a2"].pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    user = request.getfixturevalue(persona)
    visible = set(Case.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == {cases[name].pk for name in VISIBLE[persona]}
    # The rule's narrow form (checked case by case, for callers that pick a few cases) sees the same
    assert set(Case.objects.visible_to(user, narrow=True).values_list("pk", flat=True)) == visible
    for name, case in cases.items():
        if name in VISIBLE[persona]:
            assert access_case(user, case.pk) == case
        else:
            with pytest.raises(Http404):
                access_case(user, case.pk)


def test_the_other_office_sees_none_of_these_cases(world, dispatcher, now):
    from conftest import _persona

    _register(dispatcher)
    far = _persona("far", "dispatcher", place=world.other_office)
    assert not Case.objects.visible_to(far).exists()


def test_most_specific_rule_wins(world, dispatcher, now):
    from jiedao.categories.models import Category

    root = Category.objects.create(level=1, name="城乡建设", code="01")
    child = Category.objects.create(level=2, name="供水", code="0101", parent=root)
    case = _register(dispatcher)
    case.category = child
    on_root = DeadlineRule.objects.create(stage=Stage.FINISH, category=root, amount=4, unit=LimitUnit.WORKING_DAYS)
    on_child = DeadlineRule.objects.create(stage=Stage.FINISH, category=child, amount=24, unit=LimitUnit.HOURS)
    rules = DeadlineRule.objects.filter(stage=Stage.FINISH)
    assert choose_rule(rules, facts_of(case)) == on_child
    on_child.delete()
    assert choose_rule(DeadlineRule.objects.filter(stage=Stage.FINISH), facts_of(case)) == on_root
    case.urgency = Urgency.URGENT  # a rule on the category beats the generic urgent rule: category depth first
    assert limit_for(case, Stage.FINISH).amount == Decimal(4)
    case.category = None
    assert limit_for(case, Stage.FINISH).unit == LimitUnit.HOURS  # the seeded 2-hour urgent rule


def test_seeded_defaults_follow_local_practice(world, dispatcher, now):
    case = _register(dispatcher)
    assert limit_for(case, Stage.FINISH).amount == Decimal(5)
    assert limit_for(case, Stage.FINISH).unit == LimitUnit.WORKING_DAYS
    case.request_type = RequestType.CONSULTATION
    assert limit_for(case, Stage.FINISH).amount == 1
    case.urgency = Urgency.COMPLEX
    assert limit_for(case, Stage.FINISH).amount == 15
    assert limit_for(case, Stage.CALLBACK).amount == 3
    assert limit_for(case, Stage.REWORK).amount == 3


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 11, 23, 11, 0), Light.GREEN),
        (at(2026, 11, 27, 9, 0), Light.GREEN),  # about 70 % of 5 working days
        (at(2026, 11, 30, 9, 0), Light.YELLOW),  # over 80 %
        (at(2026, 11, 30, 17, 31), Light.RED),
    ],
)
def test_light_is_green_yellow_red_by_share_of_working_time(moment, expected):
    started, due = at(2026, 11, 23, 10, 0), at(2026, 11, 30, 17, 30)
    assert light(started_at=started, deadline_at=due, now=moment, unit=LimitUnit.WORKING_DAYS) == expected


@pytest.mark.django_db
def test_light_has_no_colour_without_a_running_clock():
    started, due = at(2026, 11, 23, 10, 0), at(2026, 11, 30, 17, 30)
    assert light(started_at=None, deadline_at=due, now=due, unit="working_days") == Light.NONE
    assert light(started_at=started, deadline_at=due, now=due, unit="working_days", suspended=True) == Light.NONE

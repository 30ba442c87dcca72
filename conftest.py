"""Personas and a small world of places shared by every test.

The world: district 测试区 with office 甲 (communities A with grids A1, A2; B with grid B1) and office 乙
(community C with grid C1). Grids are 0.01° squares side by side along latitude 30.
Personas hold one role each; `outsider` is community staff of B, the neighbour of A.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.backends.signals import connection_created

from jiedao.accounts.choices import Role
from jiedao.accounts.models import User
from jiedao.accounts.services import role_grant
from jiedao.accounts.tests.factories import UserFactory
from jiedao.places import geo
from jiedao.places.models import Building, Entrance, House, Place
from jiedao.places.tests.factories import (
    BuildingFactory,
    EntranceFactory,
    HouseFactory,
    make_community,
    make_district,
    make_grid,
    make_office,
    square,
)
from jiedao.units.models import Unit


@dataclass
class World:
    district: Place
    office: Place
    other_office: Place
    community_a: Place
    community_b: Place
    community_c: Place
    grid_a1: Place
    grid_a2: Place
    grid_b1: Place
    grid_c1: Place
    building_a1: Building
    building_b1: Building
    building_c1: Building
    entrance_a1: Entrance
    house_a1: House
    house_b1: House
    unit_urban: Unit
    unit_property_a: Unit
    unit_other_office: Unit


def _building(grid: Place) -> tuple[Building, Entrance, House]:
    building = BuildingFactory(grid=grid)
    entrance = EntranceFactory(building=building)
    house = HouseFactory(entrance=entrance)
    return building, entrance, house


# Every database connection the tests open, whatever thread or context opened it. Django keeps a connection per
# thread and per context (asgiref's Local): one opened under the browser tests' event loop is not the one the test
# database's teardown closes, and PostgreSQL then refuses to drop a database still in use.
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tell pytest-django about the tests that ask for the database only at run time.

    pytest-django sets up the test databases that the collected tests ask for by name (a `django_db` marker or a
    database fixture among their arguments). A test that picks its persona at run time (`request.getfixturevalue`)
    asks for the database only then: run alone, it found no test database set up and ran against the configured one
    (the demo's). Such tests are marked here, so their test database is always there."""
    for item in items:
        function = getattr(item, "function", None)
        if function is None or item.get_closest_marker("django_db") is not None:
            continue
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            continue
        if "getfixturevalue(" in source:
            item.add_marker(pytest.mark.django_db)


_opened: weakref.WeakSet[Any] = weakref.WeakSet()
connection_created.connect(lambda sender, connection, **kwargs: _opened.add(connection), weak=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> Iterator[None]:
    """pytest-django's test databases; before they are dropped, every connection the tests opened is closed."""
    yield
    for wrapper in list(_opened):
        # An in-memory SQLite database lives in its connection; a closed one has nothing to close.
        if wrapper.vendor == "sqlite" or wrapper.connection is None:
            continue
        wrapper.inc_thread_sharing()  # it may belong to a thread that has ended
        try:
            wrapper.close()
        finally:
            wrapper.dec_thread_sharing()


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Any:
    """Each test builds its own grids, calendar overrides and categories; the process-wide snapshots of them
    must not remember another test's."""
    from jiedao.categories import snapshot
    from jiedao.workdays import calendar

    for invalidate in (geo.invalidate, calendar.invalidate, snapshot.invalidate):
        invalidate()
    yield
    for invalidate in (geo.invalidate, calendar.invalidate, snapshot.invalidate):
        invalidate()


@pytest.fixture
def world(db: Any) -> World:
    district = make_district()
    office = make_office(district, 1, "甲街道")
    other_office = make_office(district, 2, "乙街道")
    community_a = make_community(office, 1, "A社区")
    community_b = make_community(office, 2, "B社区")
    community_c = make_community(other_office, 1, "C社区")
    grid_a1 = make_grid(community_a, 1, square(120.00, 30.0))
    grid_a2 = make_grid(community_a, 2, square(120.01, 30.0))
    grid_b1 = make_grid(community_b, 1, square(120.02, 30.0))
    grid_c1 = make_grid(community_c, 1, square(120.03, 30.0))
    building_a1, entrance_a1, house_a1 = _building(grid_a1)
    building_b1, _entrance_b1, house_b1 = _building(grid_b1)
    building_c1, _entrance_c1, _house_c1 = _building(grid_c1)
    unit_urban = Unit.objects.create(name="甲城管科", kind="department", sector="urban", office=office)
    unit_property_a = Unit.objects.create(name="A物业", kind="external", sector="property", office=office)
    unit_property_a.serves.set([community_a])
    unit_other_office = Unit.objects.create(name="乙城管科", kind="department", sector="urban", office=other_office)
    return World(
        district,
        office,
        other_office,
        community_a,
        community_b,
        community_c,
        grid_a1,
        grid_a2,
        grid_b1,
        grid_c1,
        building_a1,
        building_b1,
        building_c1,
        entrance_a1,
        house_a1,
        house_b1,
        unit_urban,
        unit_property_a,
        unit_other_office,
    )


def _persona(username: str, role: str, *, place: Place | None = None, unit: Unit | None = None) -> User:
    user = UserFactory(username=username)
    role_grant(user=user, role=role, place=place, unit=unit)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def grid_worker(world: World) -> User:
    return _persona("grid_worker", Role.GRID_WORKER, place=world.grid_a1)


@pytest.fixture
def grid_leader(world: World) -> User:
    return _persona("grid_leader", Role.GRID_LEADER, place=world.community_a)


@pytest.fixture
def community_staff(world: World) -> User:
    return _persona("community_staff", Role.COMMUNITY_STAFF, place=world.community_a)


@pytest.fixture
def dispatcher(world: World) -> User:
    return _persona("dispatcher", Role.DISPATCHER, place=world.office)


@pytest.fixture
def unit_handler(world: World) -> User:
    return _persona("unit_handler", Role.UNIT_HANDLER, unit=world.unit_property_a)


@pytest.fixture
def deputy_leader(world: World) -> User:
    return _persona("deputy_leader", Role.DEPUTY_LEADER, place=world.office)


@pytest.fixture
def principal_leader(world: World) -> User:
    return _persona("principal_leader", Role.PRINCIPAL_LEADER, place=world.office)


@pytest.fixture
def office_admin(world: World) -> User:
    return _persona("office_admin", Role.ADMIN, place=world.office)


@pytest.fixture
def outsider(world: World) -> User:
    """Community staff of B: same office as A, but A's grids, buildings and houses are not his."""
    return _persona("outsider", Role.COMMUNITY_STAFF, place=world.community_b)


@pytest.fixture
def superuser(db: Any) -> User:
    return UserFactory(username="root", is_superuser=True, is_staff=True)

import pytest
from django.core.management import call_command
from shapely.geometry import shape
from shapely.ops import unary_union

from jiedao.accounts.models import User
from jiedao.demo.builder import DEMO_PASSWORD, demo_create
from jiedao.places import geo
from jiedao.places.choices import Level
from jiedao.places.models import Building, Place
from jiedao.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    result = demo_create()
    geo.invalidate()
    return result


def test_demo_has_the_size_the_issue_asks_for(demo):
    assert Place.objects.filter(level=Level.SUBDISTRICT).count() == 2
    assert 20 <= Place.objects.filter(level=Level.COMMUNITY).count() <= 25
    assert 100 <= Place.objects.filter(level=Level.GRID).count() <= 120
    assert 280 <= Building.objects.count() <= 360
    assert 15 <= Unit.objects.count() <= 20
    grids_without_worker = Place.objects.filter(level=Level.GRID).exclude(
        pk__in=User.objects.filter(role_assignments__role="grid_worker").values("role_assignments__place")
    )
    assert not grids_without_worker.exists()


def test_demo_grids_tile_each_office_without_gaps_or_overlaps(demo):
    for office in Place.objects.filter(level=Level.SUBDISTRICT):
        grids = [shape(g.boundary) for g in Place.objects.filter(level=Level.GRID, prefix__startswith=office.prefix)]
        union = unary_union(grids)
        total = sum(g.area for g in grids)
        assert all(g.is_valid for g in grids)
        assert abs(union.area - total) < 1e-9 * max(total, 1)  # no overlap
        assert abs(union.area - shape(office.boundary).area) < 1e-9  # no gap
        assert union.geom_type == "Polygon" and not list(union.interiors)  # one piece, no holes


def test_demo_every_building_lies_in_its_grid(demo):
    for building in Building.objects.select_related("grid"):
        assert geo.resolve_point(float(building.lng), float(building.lat)).grid_id == building.grid_id


def test_demo_is_deterministic_from_its_seed(db):
    first = demo_create(seed=1)
    names = list(Place.objects.order_by("code").values_list("name", "boundary"))
    call_command("demo", "--reset", "--seed", "1")
    assert list(Place.objects.order_by("code").values_list("name", "boundary")) == names
    assert first.grids == Place.objects.filter(level=Level.GRID).count()


def test_demo_users_log_in_with_the_documented_password(demo, client):
    for username in ["wanggeyuan", "paidan", "zhuyao", "admin", "superadmin"]:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()


def test_demo_command_keeps_existing_data(demo, capsys):
    before = Place.objects.count()
    call_command("demo")
    assert Place.objects.count() == before
    assert "wanggeyuan" in capsys.readouterr().out

import numpy as np

from jiedao.places import geo
from jiedao.places.tests.factories import make_grid, square


def test_point_inside_a_grid_resolves_to_grid_community_and_office(world):
    found = geo.resolve_point(120.005, 30.005)
    assert found.found
    assert (found.grid_id, found.community_id, found.office_id) == (
        world.grid_a1.pk,
        world.community_a.pk,
        world.office.pk,
    )


def test_point_in_the_other_office_resolves_there(world):
    found = geo.resolve_point(120.035, 30.005)
    assert (found.grid_id, found.office_id) == (world.grid_c1.pk, world.other_office.pk)


def test_point_outside_every_grid_resolves_to_none(world):
    found = geo.resolve_point(121.0, 31.0)
    assert not found.found
    assert found.grid_id is None and found.community_id is None and found.office_id is None


def test_point_on_a_shared_edge_resolves_to_the_lower_code_every_time(world):
    # 120.01 is the edge between A1 and A2
    for _ in range(3):
        assert geo.resolve_point(120.01, 30.005).grid_id == world.grid_a1.pk


def test_resolve_many_agrees_with_resolve(world):
    rng = np.random.default_rng(7)
    lngs = rng.uniform(119.99, 120.05, 500)
    lats = rng.uniform(29.99, 30.02, 500)
    index = geo.build_index()
    many = index.resolve_many(lngs, lats)
    assert many == [index.resolve(x, y) for x, y in zip(lngs, lats, strict=True)]
    assert any(r.found for r in many) and any(not r.found for r in many)


def test_index_notices_a_new_grid_after_invalidate(world):
    assert not geo.resolve_point(120.045, 30.005).found
    make_grid(world.community_c, 2, square(120.04, 30.0))
    geo.invalidate()
    assert geo.resolve_point(120.045, 30.005).found


def test_index_notices_changes_from_another_process_after_refresh(world, monkeypatch):
    assert not geo.resolve_point(120.045, 30.005).found
    make_grid(world.community_c, 2, square(120.04, 30.0))
    # another process wrote the grid: no invalidate() here, only the refresh interval passing
    monkeypatch.setattr(geo, "REFRESH_SECONDS", 0.0)
    assert geo.resolve_point(120.045, 30.005).found

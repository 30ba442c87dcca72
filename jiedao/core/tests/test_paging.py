from __future__ import annotations

from typing import Any

from jiedao.core.paging import CappedPaginator
from jiedao.places.models import Place


def test_a_list_shorter_than_the_cap_is_counted_exactly(world: Any) -> None:
    places = Place.objects.order_by("code")
    paginator = CappedPaginator(places, 2, cap=100)
    assert paginator.count == places.count()
    assert paginator.capped is False
    assert paginator.num_pages == -(-places.count() // 2)


def test_a_list_longer_than_the_cap_stops_counting_at_the_cap(world: Any, django_assert_num_queries: Any) -> None:
    places = Place.objects.order_by("code")
    total = places.count()
    assert total > 3
    paginator = CappedPaginator(places, 2, cap=3)
    with django_assert_num_queries(1):
        assert paginator.count == 3
    assert paginator.capped is True
    assert paginator.num_pages == 2
    last = paginator.get_page(99)
    assert last.number == 2
    assert [p.code for p in last.object_list] == [p.code for p in places[2:3]]

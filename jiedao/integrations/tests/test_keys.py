"""Keys, service users and the rate limiter."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jiedao.accounts.choices import Role
from jiedao.cases.choices import Channel
from jiedao.cases.permissions import can_register_at
from jiedao.integrations.choices import SourceKind
from jiedao.integrations.keys import source_for_key
from jiedao.integrations.models import Source
from jiedao.integrations.ratelimit import allow_request
from jiedao.integrations.services import source_create, source_rotate_key


def test_source_create_makes_a_dispatcher_service_user_that_cannot_log_in(world, police):
    user = police.source.service_user
    assert user.username == "source-police"
    assert not user.has_usable_password()
    assert list(user.role_assignments.values_list("role", "place")) == [(Role.DISPATCHER, world.office.pk)]
    assert can_register_at(user, world.grid_a1.code)
    assert not can_register_at(user, world.grid_c1.code)


def test_only_a_keyed_hash_of_the_key_is_stored(police):
    source = Source.objects.get(pk=police.source.pk)
    assert police.key.startswith(f"jd_{source.key_prefix}_")
    assert police.key not in (source.key_hash, source.key_prefix)
    assert len(source.key_hash) == 64


def test_source_for_key_finds_the_source_and_records_the_use(police, now):
    assert Source.objects.get(pk=police.source.pk).last_used_at is None
    assert source_for_key(police.key) == police.source
    assert Source.objects.get(pk=police.source.pk).last_used_at == now.moment


@pytest.mark.parametrize("mangle", [lambda k: k[:-1] + ("0" if k[-1] != "0" else "1"), lambda k: k[:-2], lambda k: ""])
def test_source_for_key_refuses_a_wrong_or_malformed_key(police, mangle):
    assert source_for_key(mangle(police.key)) is None


def test_source_for_key_refuses_an_inactive_source(police):
    Source.objects.filter(pk=police.source.pk).update(active=False)
    assert source_for_key(police.key) is None


def test_a_rotated_key_replaces_the_old_one(police):
    new = source_rotate_key(source_id=police.source.pk)
    assert source_for_key(police.key) is None
    assert source_for_key(new) == police.source


def test_another_sources_prefix_with_this_secret_is_refused(police, market):
    secret = police.key.split("_")[2]
    forged = f"jd_{market.source.key_prefix}_{secret}"
    assert source_for_key(forged) is None


def test_source_create_refuses_a_bad_code(world):
    with pytest.raises(ValidationError) as error:
        source_create(name="x", code="Bad Code", kind=SourceKind.OTHER, channel=Channel.DEPARTMENT, office=world.office)
    assert "code" in error.value.message_dict
    assert not Source.objects.exists()


def test_rate_limit_counts_per_source_per_minute(police, market, now):
    Source.objects.filter(pk=police.source.pk).update(rate_limit_per_minute=3)
    police.source.refresh_from_db()
    decisions = [allow_request(police.source) for _ in range(4)]
    assert [bool(d) for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    # The clock stands half a minute into the window: the four requests (the refused one counts) leave the last
    # sixty seconds' estimate at three or more until half of the next minute has gone.
    assert decisions[3].retry_after == 60
    assert allow_request(market.source)  # the other source has its own count
    now.advance(seconds=30)  # the minute turns, but the four requests are still within the last sixty seconds
    assert not allow_request(police.source)
    now.advance(seconds=59)  # nearly all of them have slid out
    assert allow_request(police.source)


def test_a_burst_at_the_turn_of_a_minute_stays_near_the_limit(police, now):
    # A fixed window let 2 × limit through within a few seconds around the turn of a minute.
    Source.objects.filter(pk=police.source.pk).update(rate_limit_per_minute=10)
    police.source.refresh_from_db()
    now.advance(seconds=29)  # one second before the minute turns
    allowed = sum(bool(allow_request(police.source)) for _ in range(10))
    now.advance(seconds=2)  # one second after
    allowed += sum(bool(allow_request(police.source)) for _ in range(10))
    assert allowed == 10


@pytest.mark.parametrize("early", [0, 1])
def test_retry_after_is_when_a_request_is_allowed_again(police, now, early):
    Source.objects.filter(pk=police.source.pk).update(rate_limit_per_minute=4)
    police.source.refresh_from_db()
    for _ in range(4):
        assert allow_request(police.source)
    now.advance(seconds=30)  # next minute, its start: the four before weigh fully
    refused = allow_request(police.source)
    assert not refused and refused.retry_after == 30
    # Asked again when told, it is allowed; a second earlier, it is not
    now.advance(seconds=refused.retry_after - early)
    assert bool(allow_request(police.source)) is (early == 0)

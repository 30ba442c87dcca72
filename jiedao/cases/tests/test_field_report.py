"""The grid worker's report from the phone, and a problem handled on the spot checked by the community."""

import pytest
from django.urls import reverse

from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, Resolution, State
from jiedao.cases.errors import InvalidInput
from jiedao.cases.models import Attachment, Case, CaseEvent
from jiedao.cases.services import field as field_services
from jiedao.cases.tests.uploads import GIF, HTML, PDF, png_bytes, stored_files, upload
from jiedao.cases.workflow import TransitionNotAllowed
from jiedao.core.errors import ActionForbidden, NotFoundOrForbidden
from jiedao.web import drafts
from jiedao.web.navigation import items_for


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _form(**extra):
    values = {
        "title": "路灯不亮",
        "content": "5号楼前路灯不亮",
        "request_type": RequestType.HELP,
        "lng": "120.005",
        "lat": "30.005",
        "address": "5号楼前",
    }
    values.update(extra)
    return values


def _report(actor, **extra):
    values = {
        "actor": actor,
        "request_type": RequestType.HELP,
        "title": "占道堆物",
        "content": "小区门口堆放建筑垃圾",
        "lng": "120.005",
        "lat": "30.005",
        "photos": [upload("before.png", png_bytes())],
    }
    values.update(extra)
    return services.case_report_from_field(**values)


def test_the_report_page_is_for_field_roles_and_made_for_the_phone(
    client, world, grid_worker, dispatcher, unit_handler
):
    client.force_login(grid_worker)
    response = client.get(reverse("cases:report"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'accept="image/*"' in html and 'capture="environment"' in html and " multiple" in html
    assert 'enctype="multipart/form-data"' in html
    assert f'data-resolve-url="{reverse("places:resolve")}"' in html
    assert f'href="{reverse("cases:list")}?queue=mine"' in html
    assert 'name="viewport"' in html
    assert "report" in [item["key"] for item in items_for(grid_worker)]
    for other in (dispatcher, unit_handler):
        client.force_login(other)
        assert client.get(reverse("cases:report")).status_code == 404
        assert "report" not in [item["key"] for item in items_for(other)]


def test_a_report_registers_a_grid_case_with_its_photos(client, world, grid_worker, now, media):
    client.force_login(grid_worker)
    response = client.post(
        reverse("cases:report"),
        _form(photos=[upload("1.png", png_bytes()), upload("2.gif", GIF)]),
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert f'data-draft-done="{drafts.FIELD_REPORT}"' in client.get(response.url).content.decode()  # draft dropped
    assert (case.channel, case.grid, case.state, case.created_by) == (
        Channel.GRID,
        world.grid_a1,
        State.REGISTERED,
        grid_worker,
    )
    assert sorted(case.attachments.values_list("kind", "original_name")) == [("before", "1.png"), ("before", "2.gif")]
    assert len(stored_files(media)) == 2
    # The reporter sees his photos and may add more.
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert html.count('data-testid="attachment"') == 2 and 'data-testid="attach-form"' in html


def test_a_report_without_location_takes_the_chosen_grid(client, world, grid_worker, now):
    client.force_login(grid_worker)
    client.post(reverse("cases:report"), _form(lng="", lat="", place=str(world.grid_a1.pk)))
    assert Case.objects.get().grid == world.grid_a1


def test_a_report_handled_on_the_spot_waits_for_the_community(client, world, grid_worker, now, media):
    client.force_login(grid_worker)
    client.post(
        reverse("cases:report"),
        _form(
            photos=[upload("before.png", png_bytes())],
            handled="on",
            result_text="已联系物业修复路灯",
            after_photos=[upload("after.png", png_bytes(rgb=(250, 250, 200)))],
        ),
    )
    case = Case.objects.get()
    assert (case.state, case.resolution, case.result_text) == (
        State.REPLIED,
        Resolution.SELF_HANDLED,
        "已联系物业修复路灯",
    )
    assert case.replied_at == now()
    # The finishing clock runs from receipt, so the KPIs count the case.
    assert case.finish_started_at == case.received_at and case.finish_deadline is not None
    assert sorted(case.attachments.values_list("kind", flat=True)) == ["after", "before"]
    assert list(case.events.values_list("action", flat=True)) == ["register", "attach", "attach", "self_handle"]
    handled = case.events.get(action="self_handle")
    assert (handled.from_state, handled.to_state, handled.actor) == (State.REGISTERED, State.REPLIED, grid_worker)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"handled": "on", "result_text": "已处理"}, "after_photos"),
        ({"handled": "on", "after_photos": [upload("after.png", png_bytes())]}, "result_text"),
        ({"photos": [upload("before.jpg", HTML)]}, "photos"),
        ({"handled": "on", "result_text": "已处理", "after_photos": [upload("after.png", PDF[:20])]}, "after_photos"),
        ({"lng": "120.025", "lat": "30.005"}, None),  # grid B1: not his
        ({"lng": "", "lat": ""}, "place"),
    ],
)
def test_a_refused_report_shows_the_error_and_writes_nothing(client, world, grid_worker, now, media, extra, field):
    client.force_login(grid_worker)
    response = client.post(reverse("cases:report"), _form(**{"photos": [upload("ok.png", png_bytes())], **extra}))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field or "__all__")
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_failure_after_the_photos_were_stored_deletes_them(world, grid_worker, now, media, monkeypatch):
    def broken_clock(case):
        raise RuntimeError("the deadline rules are unreadable")

    monkeypatch.setattr(field_services, "ensure_finish_clock", broken_clock)
    with pytest.raises(RuntimeError):
        _report(grid_worker, handled_on_the_spot=True, result_text="已处理", after_photos=[upload("a.gif", GIF)])
    assert not Case.objects.exists()
    assert stored_files(media) == []


def test_handled_on_the_spot_then_verified_by_the_community_closes_the_case(
    world, grid_worker, community_staff, now, media
):
    # Given a grid worker's report, fixed on the spot
    case = _report(
        grid_worker, handled_on_the_spot=True, result_text="已清理", after_photos=[upload("after.png", png_bytes())]
    )
    assert case.state == State.REPLIED
    # When the community staff checks it on the next round
    now.advance(hours=3)
    case = services.case_verify(case_id=case.pk, actor=community_staff, passed=True, note="已核实")
    # Then it is closed (no resident to call back), still known as handled on the spot
    assert (case.state, case.resolution, case.closed_at) == (State.CLOSED, Resolution.SELF_HANDLED, now())
    assert list(case.events.values_list("action", flat=True)) == [
        "register",
        "attach",
        "attach",
        "self_handle",
        "verify",
    ]


def test_a_failed_check_sends_a_self_handled_case_to_rework(world, grid_worker, grid_leader, now, media):
    case = _report(
        grid_worker, handled_on_the_spot=True, result_text="已清理", after_photos=[upload("after.png", png_bytes())]
    )
    case = services.case_verify(case_id=case.pk, actor=grid_leader, passed=False, note="现场仍有垃圾")
    assert (case.state, case.rework_count) == (State.HANDLING, 1)


def test_only_the_reporter_may_self_handle_and_only_right_after_reporting(
    world, grid_worker, community_staff, dispatcher, outsider, now, media
):
    after = lambda: [upload("after.gif", GIF)]  # noqa: E731
    reported = _report(grid_worker)
    by_dispatcher = services.case_register(
        actor=dispatcher,
        channel=Channel.PHONE,
        request_type=RequestType.HELP,
        title="噪音",
        content="夜间施工",
        lng="120.005",
        lat="30.005",
    )
    # Community staff of the place did not report it; the grid worker did not report the dispatcher's case.
    with pytest.raises(ActionForbidden):
        services.case_self_handle(case_id=reported.pk, actor=community_staff, result_text="已处理", after_files=after())
    with pytest.raises(ActionForbidden):
        services.case_self_handle(
            case_id=by_dispatcher.pk, actor=grid_worker, result_text="已处理", after_files=after()
        )
    with pytest.raises(NotFoundOrForbidden):
        services.case_self_handle(case_id=reported.pk, actor=outsider, result_text="已处理", after_files=after())
    # Once the office accepted it, it is no longer the reporter's to close.
    accepted = _report(grid_worker, title="另一件")
    services.case_accept(case_id=accepted.pk, actor=dispatcher)
    with pytest.raises(TransitionNotAllowed):
        services.case_self_handle(case_id=accepted.pk, actor=grid_worker, result_text="已处理", after_files=after())
    with pytest.raises(InvalidInput) as excinfo:
        services.case_self_handle(case_id=reported.pk, actor=grid_worker, result_text="  ", after_files=after())
    assert excinfo.value.field == "result_text"
    assert not CaseEvent.objects.filter(action="self_handle").exists()
    assert not Attachment.objects.filter(kind="after").exists()
    assert len(stored_files(media)) == 2  # the two "before" photos only
    # The reporter himself may, right after reporting.
    case = services.case_self_handle(case_id=reported.pk, actor=grid_worker, result_text="已处理", after_files=after())
    assert (case.state, case.resolution) == (State.REPLIED, Resolution.SELF_HANDLED)


def test_community_staff_may_report_and_self_handle_too(world, community_staff, grid_leader, now, media):
    case = _report(
        community_staff, handled_on_the_spot=True, result_text="已劝离", after_photos=[upload("after.gif", GIF)]
    )
    assert (case.channel, case.state, case.resolution) == (Channel.GRID, State.REPLIED, Resolution.SELF_HANDLED)
    case = services.case_verify(case_id=case.pk, actor=grid_leader, passed=True)
    assert case.state == State.CLOSED

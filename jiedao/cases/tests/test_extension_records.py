"""The case page: the extension form says its unit; the extension and suspension records, and the message that
told the resident, are shown in a number of queries that does not grow with them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.forms import ExtensionForm
from jiedao.workdays.choices import LimitUnit


def _handling(world, dispatcher, unit_handler, **extra):
    """A case registered Monday 10:00, dispatched to A物业 and signed for (5 working days to finish)."""
    values = {
        "channel": Channel.PHONE,
        "request_type": RequestType.HELP,
        "title": "垃圾未清运",
        "content": "小区门口垃圾堆放三天未清运",
        "lng": "120.005",
        "lat": "30.005",
        "reporter_name": "王五",
        "reporter_phone": "13712345678",
    }
    values.update(extra)
    case = services.case_register(actor=dispatcher, **values)
    services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    return services.case_sign(case_id=case.pk, actor=unit_handler)


def _extend(case, unit_handler, dispatcher, *, amount, reason, approve):
    services.case_extension_request(case_id=case.pk, actor=unit_handler, amount=amount, reason=reason)
    services.case_extension_decide(case_id=case.pk, actor=dispatcher, approve=approve)


def _pause(case, dispatcher, *, reason):
    services.case_suspend(case_id=case.pk, actor=dispatcher, reason=reason)
    services.case_resume(case_id=case.pk, actor=dispatcher)


def test_the_extension_form_names_the_unit_of_the_running_limit(client, world, dispatcher, unit_handler, now):
    case = _handling(world, dispatcher, unit_handler)
    client.force_login(unit_handler)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-action="request_extension"' in html
    assert "单位：工作日（本件办理时限的计时单位）" in html
    assert 'aria-describedby="id_request_extension-amount_helptext"' in html


def test_the_extension_form_follows_the_case_unit_and_needs_no_case():
    with translation.override("zh-hans"):
        for unit in LimitUnit:
            case = type("CaseStub", (), {"finish_unit": unit.value})()
            assert (
                ExtensionForm(case=case).fields["amount"].help_text == f"单位：{unit.label}（本件办理时限的计时单位）"
            )
    assert ExtensionForm().fields["amount"].help_text == ""


def test_the_page_shows_extensions_suspensions_and_the_resident_told(client, world, dispatcher, unit_handler, now):
    case = _handling(world, dispatcher, unit_handler)
    _extend(case, unit_handler, dispatcher, amount="2", reason="需要采购配件", approve=True)
    _extend(case, unit_handler, dispatcher, amount="1.5", reason="再等等", approve=False)
    _pause(case, dispatcher, reason="等待居民提供材料")
    services.case_extension_request(case_id=case.pk, actor=unit_handler, amount="3", reason="协调物业")
    services.case_suspend(case_id=case.pk, actor=dispatcher, reason="居民外出")
    client.force_login(dispatcher)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert "延期记录" in html and "挂起记录" in html
    assert html.count('data-testid="extension"') == 3
    approved, refused, pending = html.split('data-testid="extension"')[1:]
    assert "2 工作日" in approved and "需要采购配件" in approved and "已同意" in approved
    assert "11-30 17:30 → 12-02 17:30" in approved  # the deadline before and after
    assert str(unit_handler) in approved and str(dispatcher) in approved
    assert "1.50 工作日" in refused and "不同意" in refused and "→" not in refused
    assert "3 工作日" in pending and "待审批" in pending and "协调物业" in pending
    assert html.count('data-testid="suspension"') == 2
    assert "等待居民提供材料" in html and "居民外出" in html and "挂起中" in html
    # the approval's entry in the history says the resident was sent a message (waiting: the test never commits)
    assert html.count('data-testid="resident-told"') == 1
    assert "短信告知居民（待发送）" in html
    assert "13712345678" not in html


def test_the_records_cost_no_query_per_row(client, world, dispatcher, unit_handler, now):
    case = _handling(world, dispatcher, unit_handler)
    _extend(case, unit_handler, dispatcher, amount="2", reason="第一次", approve=True)
    _pause(case, dispatcher, reason="第一次挂起")
    client.force_login(dispatcher)
    url = reverse("cases:detail", args=[case.pk])
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    # the same state again, with more of everything behind it
    _extend(case, unit_handler, dispatcher, amount="1", reason="第二次", approve=False)
    _pause(case, dispatcher, reason="第二次挂起")
    _extend(case, unit_handler, dispatcher, amount="1", reason="第三次", approve=True)
    _pause(case, dispatcher, reason="第三次挂起")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count('data-testid="extension"') == 3 and html.count('data-testid="suspension"') == 3
    assert html.count('data-testid="resident-told"') == 2
    assert len(many) == len(one)

"""Asking for a report, its generation in the worker with progress, the pages, scoping, comments, downloads, and
the schedule."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document

from jiedao.core import clock
from jiedao.notifications.models import Notification
from jiedao.reports import services, tasks
from jiedao.reports.choices import ReportKind, Status
from jiedao.reports.models import Report
from jiedao.reports.periods import parse_period
from jiedao.web.navigation import items_for

INDEX = reverse("reports:index")
NEW = reverse("reports:new")


def _ask(client, user, world, django_capture_on_commit_callbacks, **data):
    client.force_login(user)
    form = {"kind": "weekly", "period": "2026-W47", "place": world.office.pk, "formats": ["docx", "xlsx", "html"]}
    form.update(data)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(NEW, form)


def test_a_leader_asks_for_a_report_and_downloads_each_file(
    client, world, week_history, deputy_leader, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://jiedao.example.gov.cn"
    # When the leader asks for the weekly review (the worker runs at once in the tests)
    response = _ask(client, deputy_leader, world, django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[report.pk])

    # Then it is done, with its three files
    assert (report.status, report.progress, report.requested_by) == (Status.DONE, 100, deputy_leader)
    assert set(report.files) == {"docx", "xlsx", "html"}
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-status="done"' in page and "hx-trigger" not in page
    docx = client.get(reverse("reports:download", args=[report.pk, "docx"]))
    assert docx.status_code == 200 and "attachment" in docx["Content-Disposition"]
    assert Document(io.BytesIO(b"".join(docx.streaming_content))).paragraphs[0].text.startswith("甲街道2026年第47周")
    html = b"".join(client.get(reverse("reports:download", args=[report.pk, "html"])).streaming_content).decode()
    # The figures link to their cases by the site's address, so the file opened from disk still finds them
    assert "@media print" in html
    assert 'href="https://jiedao.example.gov.cn/analytics/cases/?' in html and 'href="/' not in html
    listing = client.get(INDEX)
    assert f'data-report="{report.pk}"' in listing.content.decode()


def test_a_queued_report_polls_its_progress(client, world, deputy_leader, now):
    report, created = services.report_request(
        kind=ReportKind.MONTHLY, period=parse_period("monthly", "2026-10"), place=world.office, actor=deputy_leader
    )
    assert created and report.status == Status.QUEUED
    client.force_login(deputy_leader)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert f'hx-get="/reports/{report.pk}/progress/"' in page and 'hx-trigger="every 2s"' in page
    Report.objects.filter(pk=report.pk).update(status=Status.RUNNING, progress=42)
    fragment = client.get(reverse("reports:progress", args=[report.pk])).content.decode()
    assert 'value="42"' in fragment and "hx-trigger" in fragment
    assert client.get(reverse("reports:download", args=[report.pk, "docx"])).status_code == 404


def test_a_bad_period_is_refused_by_the_form(client, world, deputy_leader, django_capture_on_commit_callbacks):
    response = _ask(
        client, deputy_leader, world, django_capture_on_commit_callbacks, kind="quarterly", period="2026-13"
    )
    assert response.status_code == 400
    assert "2026-Q3" in response.content.decode()
    assert not Report.objects.exists()


def _broken(content):
    raise RuntimeError("disk full")


def test_a_report_that_fails_keeps_its_error(
    world, deputy_leader, now, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(services.RENDERERS, "docx", _broken)
    with django_capture_on_commit_callbacks(execute=True):
        report, _created = services.report_request(
            kind=ReportKind.WEEKLY, period=parse_period("weekly", "2026-W47"), place=world.office, actor=deputy_leader
        )
    report.refresh_from_db()
    assert report.status == Status.FAILED and "disk full" in report.error and report.finished_at is not None


def test_the_admin_lists_the_failed_reports_with_their_error_read_only(
    world, deputy_leader, superuser, client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(services.RENDERERS, "docx", _broken)
    with django_capture_on_commit_callbacks(execute=True):
        report, _created = services.report_request(
            kind=ReportKind.WEEKLY, period=parse_period("weekly", "2026-W47"), place=world.office, actor=deputy_leader
        )
    client.force_login(superuser)
    listing = client.get(reverse("admin:reports_report_changelist"), {"status__exact": Status.FAILED})
    assert listing.status_code == 200 and "2026-W47" in listing.content.decode()
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert "disk full" in page and 'name="_save"' not in page
    assert "（生成失败）" in page and "Scope code" not in page
    # the button that leaves the read-only page is the admin's 关闭, not the case action 办结
    assert ">关闭<" in page and ">办结<" not in page
    assert client.get(reverse("admin:reports_report_add")).status_code == 403
    assert client.post(reverse("admin:reports_report_delete", args=[report.pk]), {"post": "yes"}).status_code == 403
    assert Report.objects.filter(pk=report.pk).exists()


def test_reports_cut_off_fail_and_lost_jobs_are_queued_again(world, deputy_leader, now, week_history):
    def ask(period: str) -> Report:
        report, _created = services.report_request(
            kind=ReportKind.WEEKLY, period=parse_period("weekly", period), place=world.office, actor=deputy_leader
        )
        return report

    started = clock.now()
    cut_off, busy, lost, fresh = ask("2026-W44"), ask("2026-W45"), ask("2026-W46"), ask("2026-W47")
    Report.objects.filter(pk=cut_off.pk).update(status=Status.RUNNING, started_at=started - dt.timedelta(minutes=31))
    Report.objects.filter(pk=busy.pk).update(status=Status.RUNNING, started_at=started - dt.timedelta(minutes=5))
    Report.objects.filter(pk=lost.pk).update(created_at=started - dt.timedelta(minutes=16))
    assert services.reports_recover() == (1, 1)
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses == {
        cut_off.pk: Status.FAILED,
        busy.pk: Status.RUNNING,
        lost.pk: Status.DONE,  # the worker (immediate in tests) wrote it
        fresh.pk: Status.QUEUED,
    }
    cut_off.refresh_from_db()
    assert "Ask for it again" in cut_off.error or "重新" in cut_off.error
    assert services.reports_recover() == (0, 0)


def test_comments_are_saved_and_the_documents_written_again(
    client, world, week_history, principal_leader, django_capture_on_commit_callbacks
):
    _ask(client, principal_leader, world, django_capture_on_commit_callbacks, formats=["docx"])
    report = Report.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:comments", args=[report.pk]), {"comments": "本周重点：楼道堆物。"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.comments == "本周重点：楼道堆物。" and report.status == Status.DONE
    docx = client.get(reverse("reports:download", args=[report.pk, "docx"]))
    texts = [p.text for p in Document(io.BytesIO(b"".join(docx.streaming_content))).paragraphs]
    assert "本周重点：楼道堆物。" in texts


@pytest.mark.parametrize("persona", ["grid_worker", "grid_leader", "community_staff", "unit_handler", "outsider"])
def test_everyone_else_finds_no_reports(request, client, world, deputy_leader, now, persona):
    report, _created = services.report_request(
        kind=ReportKind.WEEKLY, period=parse_period("weekly", "2026-W47"), place=world.office, actor=deputy_leader
    )
    Report.objects.filter(pk=report.pk).update(status=Status.DONE, files={"docx": "reports/x.docx"})
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(INDEX).status_code == 404
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:download", args=[report.pk, "docx"])).status_code == 404
    assert client.post(reverse("reports:comments", args=[report.pk]), {"comments": "x"}).status_code == 404
    assert "reports" not in [item["key"] for item in items_for(user)]


def test_the_other_office_sees_neither_the_report_nor_its_file(
    client, world, week_history, deputy_leader, other_office_dispatcher, django_capture_on_commit_callbacks
):
    _ask(client, deputy_leader, world, django_capture_on_commit_callbacks, formats=["html"])
    report = Report.objects.get()
    client.force_login(other_office_dispatcher)
    listing = client.get(INDEX)
    assert listing.status_code == 200 and f'data-report="{report.pk}"' not in listing.content.decode()
    missing = client.get(reverse("reports:download", args=[report.pk + 1000, "html"]))
    forbidden = client.get(reverse("reports:download", args=[report.pk, "html"]))
    assert missing.status_code == forbidden.status_code == 404
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    # Nor may it ask for a report of this office
    response = client.post(NEW, {"kind": "weekly", "period": "2026-W47", "place": world.office.pk, "formats": ["html"]})
    assert response.status_code == 400 and Report.objects.count() == 1


@pytest.mark.parametrize("persona", ["dispatcher", "office_admin", "deputy_leader", "principal_leader"])
def test_leaders_dispatchers_and_admins_have_the_page(request, client, world, now, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(INDEX)
    assert response.status_code == 200 and 'data-nav="reports"' in response.content.decode()


def test_the_weekly_schedule_makes_one_report_per_office_and_tells_its_leaders(
    world, week_history, now, deputy_leader, principal_leader, django_capture_on_commit_callbacks
):
    # Monday 11-23 08:00 in Shanghai: the week just ended is 2026-W47
    now.set(2026, 11, 23, 8, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.weekly_reports.call_local() == 2  # both offices
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.weekly_reports.call_local() == 0  # run twice: no second report
    reports = list(Report.objects.order_by("place__code"))
    assert [(r.place, r.period_name, r.status, r.scheduled) for r in reports] == [
        (world.office, "2026-W47", Status.DONE, True),
        (world.other_office, "2026-W47", Status.DONE, True),
    ]
    told = Notification.objects.filter(kind=services.NOTICE_KIND)
    assert sorted(n.recipient_id for n in told) == sorted([deputy_leader.pk, principal_leader.pk])
    first = told.first()
    assert first is not None and first.url == reverse("reports:detail", args=[reports[0].pk])


def test_the_quarterly_schedule_waits_for_the_first_working_day_after_the_quarter(
    world, now, django_capture_on_commit_callbacks
):
    # 2026-10-01..07 is the National Day holiday: the first working day after Q3 is later
    first = tasks.first_workday_on_or_after(dt.date(2026, 10, 1))
    assert first > dt.date(2026, 10, 7)
    assert tasks.quarter_due(first - dt.timedelta(days=1)) is None
    assert tasks.quarter_due(dt.date(2026, 9, 30)) is None
    due = tasks.quarter_due(first)
    assert due is not None and due.name == "2026-Q3"
    now.set(first.year, first.month, first.day, 8, 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.quarterly_reports.call_local() == 2
        assert tasks.quarterly_reports.call_local() == 0
    assert set(Report.objects.values_list("kind", "period_name")) == {("quarterly", "2026-Q3")}


def test_the_periodic_tasks_are_registered_at_08_00_shanghai():
    from huey.contrib.djhuey import HUEY

    names = [type(t).__name__ for t in HUEY._registry.periodic_tasks]
    assert "weekly_reports" in names and "quarterly_reports" in names and "recover_reports" in names
    weekly = tasks.weekly_reports.task_class()
    monday_midnight_utc = dt.datetime(2026, 11, 23, 0, 0)  # 08:00 in Shanghai
    assert weekly.validate_datetime(monday_midnight_utc)
    assert not weekly.validate_datetime(monday_midnight_utc + dt.timedelta(hours=8))
    assert not weekly.validate_datetime(monday_midnight_utc + dt.timedelta(days=1))


def test_the_list_costs_the_same_queries_for_one_report_or_many(
    client, world, deputy_leader, now, django_assert_max_num_queries
):
    period = parse_period("weekly", "2026-W47")
    services.report_request(kind=ReportKind.WEEKLY, period=period, place=world.office, actor=deputy_leader)
    client.force_login(deputy_leader)
    client.get(INDEX)
    with django_assert_max_num_queries(12) as one:
        client.get(INDEX)
    for community in (world.community_a, world.community_b):
        services.report_request(kind=ReportKind.WEEKLY, period=period, place=community, actor=deputy_leader)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(INDEX)
    assert len(response.context["page"].object_list) == 3


def test_a_dispatcher_reads_the_comments_but_only_leaders_write_them(
    client, world, week_history, dispatcher, principal_leader, django_capture_on_commit_callbacks
):
    _ask(client, principal_leader, world, django_capture_on_commit_callbacks, formats=["html"])
    report = Report.objects.get()
    client.force_login(dispatcher)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert reverse("reports:comments", args=[report.pk]) not in page
    response = client.post(reverse("reports:comments", args=[report.pk]), {"comments": "调度员的意见"}, follow=True)
    assert "只有街道领导可以填写街道意见。" in response.content.decode()
    report.refresh_from_db()
    assert report.comments == ""

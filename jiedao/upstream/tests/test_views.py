"""The upload page: who may use it, the run in the worker with its progress polled by htmx, the counts or the
error table and its .xlsx download; a run of another office looks like a missing one."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiedao.cases.models import Case
from jiedao.upstream import services
from jiedao.upstream.choices import RunState
from jiedao.upstream.models import ImportRun
from jiedao.upstream.progress import progress_write
from jiedao.upstream.tests.conftest import order, workbook

INDEX = reverse("upstream:index")
NEW = reverse("upstream:new")


def _upload(client, user, data, capture, **extra):
    client.force_login(user)
    upload = SimpleUploadedFile("工单导出.xlsx", data, content_type="application/octet-stream")
    with capture(execute=True):
        return client.post(NEW, {"file": upload, **extra})


def test_only_the_offices_dispatchers_and_administrators_see_the_page(
    client, world, dispatcher, office_admin, community_staff, unit_handler, outsider, grid_worker
):
    for person in (community_staff, unit_handler, outsider, grid_worker):
        client.force_login(person)
        assert client.get(INDEX).status_code == 404
        assert client.post(NEW, {}).status_code == 404
    for person in (dispatcher, office_admin):
        client.force_login(person)
        page = client.get(INDEX)
        assert page.status_code == 200
        assert 'data-testid="import-form"' in page.content.decode()


def test_an_upload_is_imported_by_the_worker_and_shows_its_counts(
    client, world, dispatcher, django_capture_on_commit_callbacks
):
    response = _upload(client, dispatcher, workbook([order("GD1"), order("GD2")]), django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("upstream:detail", args=[run.pk])
    assert (run.state, run.created, run.filename, run.created_by) == (RunState.DONE, 2, "工单导出.xlsx", dispatcher)
    assert Case.objects.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="done"' in page and 'data-count="created">2<' in page
    assert "hx-get" not in page  # finished: no more polling
    listing = client.get(INDEX).content.decode()
    assert f'data-run="{run.pk}"' in listing


def test_a_running_import_is_polled_and_shows_the_writing_progress(client, world, dispatcher):
    run = services.import_run_create(
        actor=dispatcher, source=workbook([order("GD1")]), filename="a.xlsx", enqueue=False
    )
    client.force_login(dispatcher)
    fragment = client.get(reverse("upstream:progress", args=[run.pk])).content.decode()
    assert 'data-state="queued"' in fragment
    assert f'hx-get="{reverse("upstream:progress", args=[run.pk])}"' in fragment
    ImportRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING, progress=30)
    progress_write(run.pk, 64)
    fragment = client.get(reverse("upstream:progress", args=[run.pk])).content.decode()
    assert 'value="64"' in fragment and "hx-trigger" in fragment


def test_a_refused_file_shows_every_error_and_downloads_them(
    client, world, dispatcher, django_capture_on_commit_callbacks
):
    data = workbook([order("GD1", received="不是日期"), order("GD2", type="其他")])
    response = _upload(client, dispatcher, data, django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert run.state == RunState.INVALID and Case.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-errors"' in page and "不是日期" in page
    download = client.get(reverse("upstream:errors", args=[run.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行", "列", "原因")
    assert [(row, column) for row, column, _message in rows[1:]] == [(2, "受理时间"), (3, "诉求类型")]


def test_the_error_workbook_never_turns_a_text_into_a_formula():
    from jiedao.upstream.workbooks import errors_workbook

    sheet = openpyxl.load_workbook(io.BytesIO(errors_workbook([[5, "=cmd|' /C calc'!A0", "=1+1"]]))).active
    assert [cell.data_type for cell in sheet[2]] == ["n", "s", "s"]
    assert sheet.cell(row=2, column=3).value == "=1+1"


def test_a_bad_upload_is_refused_by_the_form(client, world, dispatcher):
    client.force_login(dispatcher)
    upload = SimpleUploadedFile("orders.csv", b"a,b", content_type="text/csv")
    response = client.post(NEW, {"file": upload})
    assert response.status_code == 400
    assert not ImportRun.objects.exists()


def test_another_offices_run_is_not_there(client, world, dispatcher):
    from conftest import _persona

    far = _persona("far_dispatcher", "dispatcher", place=world.other_office)
    run = services.import_run_create(actor=far, source=workbook([order("GD1")]), filename="a.xlsx", enqueue=False)
    services.import_run_execute(run_id=run.pk)
    client.force_login(dispatcher)
    for name in ("upstream:detail", "upstream:progress", "upstream:errors"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert f'data-run="{run.pk}"' not in client.get(INDEX).content.decode()


def test_the_navigation_offers_the_page_to_dispatchers_only(client, world, dispatcher, community_staff):
    from jiedao.web.navigation import items_for

    assert "upstream" in [item["key"] for item in items_for(dispatcher)]
    assert "upstream" not in [item["key"] for item in items_for(community_staff)]

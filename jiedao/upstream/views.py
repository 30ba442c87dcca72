"""The 12345 page: upload an export (the worker imports it; the run's page polls its progress with htmx and shows
the counts or every error, downloadable as .xlsx), the recent runs, and the replies due upstream as .xlsx.
For the office's dispatchers and administrators; anyone else finds no such page (404)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jiedao.cases.models import Case
from jiedao.core import clock
from jiedao.core.errors import NotFoundOrForbidden
from jiedao.upstream import permissions, services
from jiedao.upstream.choices import RunState
from jiedao.upstream.forms import ImportForm, RepliesForm
from jiedao.upstream.models import ImportRun
from jiedao.upstream.progress import progress_read
from jiedao.upstream.replies import replies_due, replies_workbook
from jiedao.upstream.workbooks import XLSX_TYPE, errors_workbook

PAGE_SIZE = 20
# The page shows this many errors; the download holds all that were kept.
SHOWN_ERRORS = 500


def _require_importer(user: Any) -> None:
    if not permissions.can_import(user):
        raise Http404


def _run(request: HttpRequest, run_id: int) -> ImportRun:
    _require_importer(request.user)
    try:
        return permissions.access_run(request.user, run_id)
    except NotFoundOrForbidden:
        raise Http404 from None


def _index(
    request: HttpRequest, form: ImportForm | None = None, replies: RepliesForm | None = None, status: int = 200
) -> HttpResponse:
    offices = permissions.importable_offices(request.user)
    runs = permissions.runs_visible_to(request.user).select_related("created_by", "office")
    context = {
        "form": form or ImportForm(offices=offices),
        "replies_form": replies or RepliesForm(offices=offices),
        "page": Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page")),
        "nav_current": "upstream",
    }
    return render(request, "upstream/index.html", context, status=status)


@login_required
@require_GET
def import_index(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    return _index(request)


@login_required
@require_POST
def import_new(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    form = ImportForm(request.POST, request.FILES, offices=permissions.importable_offices(request.user))
    if not form.is_valid():
        return _index(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        run = services.import_run_create(
            actor=request.user,
            source=upload,
            filename=upload.name or "export.xlsx",
            preset=form.cleaned_data["preset"],
            office=form.cleaned_data["office"],
        )
    except services.ImportRefused as error:
        form.add_error(None, error.message)
        return _index(request, form=form, status=400)
    return HttpResponseRedirect(reverse("upstream:detail", args=[run.pk]))


def _status_context(run: ImportRun) -> dict[str, Any]:
    progress = run.progress
    if run.state == RunState.RUNNING:
        progress = max(progress, progress_read(run.pk) or 0)
    return {
        "run": run,
        "progress": progress,
        "polling": not run.finished,
        "shown_errors": run.errors[:SHOWN_ERRORS],
        "more_errors": max(0, run.error_count - SHOWN_ERRORS),
    }


@login_required
@require_GET
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    return render(request, "upstream/detail.html", {**_status_context(run), "nav_current": "upstream"})


@login_required
@require_GET
def import_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The status fragment the run's page polls with htmx until the run has ended."""
    return render(request, "upstream/_status.html", _status_context(_run(request, run_id)))


@login_required
@require_GET
def import_errors(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    if not run.errors:
        raise Http404
    response = HttpResponse(errors_workbook(run.errors), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.xlsx"'
    return response


@login_required
@require_GET
def replies_export(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    form = RepliesForm(request.GET, offices=permissions.importable_offices(request.user))
    if not form.is_valid():
        return _index(request, replies=form, status=400)
    data = form.cleaned_data
    cases = replies_due(
        cases=Case.objects.visible_to(request.user),
        first=data.get("start"),
        last=data.get("end"),
        numbers=data["number_list"],
        office=data.get("office"),
    )
    response = HttpResponse(replies_workbook(cases.iterator(chunk_size=1000)), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="12345-replies-{clock.now():%Y%m%d%H%M}.xlsx"'
    return response

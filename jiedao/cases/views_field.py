"""Screens of the field: the grid worker's report from the phone, attaching files, serving them back.

Views parse and translate errors only; every write is a service call.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiedao.cases import permissions, services
from jiedao.cases.choices import AttachmentKind, RequestType
from jiedao.cases.errors import InvalidInput
from jiedao.cases.models import Attachment
from jiedao.cases.services.attachments import MAX_FILES
from jiedao.core.errors import DomainError
from jiedao.places.models import Place
from jiedao.web import drafts

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"})


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; the service checks what they are."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise ValidationError(gettext_lazy("Send at most %(count)d files at a time.") % {"count": MAX_FILES})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _photo_input() -> MultipleFileInput:
    return MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})


class ReportForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    content = forms.CharField(label=gettext_lazy("What is wrong"), widget=forms.Textarea(attrs={"rows": 4}))
    request_type = forms.ChoiceField(
        label=gettext_lazy("Request type"), choices=RequestType.choices, initial=RequestType.HELP
    )
    photos = MultipleFileField(label=gettext_lazy("Photos"), required=False, widget=_photo_input())
    lng = forms.DecimalField(required=False, max_digits=10, decimal_places=6, widget=forms.HiddenInput)
    lat = forms.DecimalField(required=False, max_digits=10, decimal_places=6, widget=forms.HiddenInput)
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=300)
    place = forms.ModelChoiceField(
        label=gettext_lazy("Grid or community (without a location)"), queryset=Place.objects.none(), required=False
    )
    handled = forms.BooleanField(label=gettext_lazy("I handled it on the spot"), required=False)
    result_text = forms.CharField(
        label=gettext_lazy("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    after_photos = MultipleFileField(label=gettext_lazy("Photos after handling"), required=False, widget=_photo_input())

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]


class AttachForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What they show"), choices=AttachmentKind.choices)
    upload = MultipleFileField(
        label=gettext_lazy("Files"),
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


# The service names the field it refuses; these are the form's names for them.
REPORT_FIELDS = {"after_files": "after_photos", "files": "photos"}


@login_required
@require_http_methods(["GET", "POST"])
def case_report(request: HttpRequest) -> HttpResponse:
    """The grid worker's report from the phone (网格员上报), optionally handled on the spot."""
    if not permissions.can_report_from_field(request.user):
        raise Http404
    places = Place.objects.within(request.user).filter(level__in=["grid", "community"]).order_by("code")
    form = ReportForm(request.POST or None, request.FILES or None, places=places)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_report_from_field(
                actor=request.user,
                request_type=data["request_type"],
                title=data["title"],
                content=data["content"],
                address=data["address"],
                lng=data["lng"],
                lat=data["lat"],
                place=data["place"],
                photos=data["photos"],
                handled_on_the_spot=data["handled"],
                result_text=data["result_text"],
                after_photos=data["after_photos"],
            )
        except InvalidInput as exc:
            field = REPORT_FIELDS.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            reported = _("Case %(number)s reported.") % {"number": case.number}
            messages.success(request, reported, extra_tags=drafts.tag(drafts.FIELD_REPORT))
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/report.html", {"form": form, "max_files": MAX_FILES})


@login_required
@require_POST
def case_attach(request: HttpRequest, case_id: int) -> HttpResponse:
    case = permissions.access_case(request.user, case_id)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(str(error) for error in errors))
        return redirect("cases:detail", case_id=case.pk)
    version_text = request.POST.get("version", "")
    try:
        saved = services.case_attach(
            case_id=case.pk,
            actor=request.user,
            files=form.cleaned_data["upload"],
            kind=form.cleaned_data["kind"],
            expected_version=int(version_text) if version_text.isdigit() else None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)d files attached.") % {"count": len(saved)})
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    """Serve a case's file to whoever may see the case (404 for anyone else, as for a missing one)."""
    case = permissions.access_case(request.user, case_id)
    attachment = Attachment.objects.filter(pk=attachment_id, case=case).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.content_type not in INLINE_TYPES,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if attachment.is_image:
        # An image opened on its own runs nothing, whatever bytes follow its header.
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response

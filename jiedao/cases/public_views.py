"""The resident's pages (no account): submit a demand, follow it by number + phone, rate the result.

Abuse guards: a per-address rate limit in the cache, a small arithmetic challenge signed into the form, a
honeypot field and a minimum time to fill the form in (bots post at once).
"""

from __future__ import annotations

import random
import time
from typing import Any

from django import forms
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jiedao.audit.services import client_ip
from jiedao.cases.choices import RequestType, Satisfaction
from jiedao.cases.errors import InvalidInput
from jiedao.cases.selectors import labelled
from jiedao.cases.services import case_find_for_resident, case_rate_by_resident, case_submit_by_resident
from jiedao.cases.services.public import RESIDENT_TYPES
from jiedao.core.errors import DomainError
from jiedao.places.models import Place

SUBMISSIONS_PER_HOUR = 5
LOOKUPS_PER_HOUR = 30
MIN_SECONDS_TO_FILL = 3
CHALLENGE_SALT = "jiedao.resident.challenge"


def _limited(request: HttpRequest, bucket: str, limit: int) -> bool:
    """Count one use of `bucket` for the client's address this hour; True when over the limit."""
    key = f"ratelimit:{bucket}:{client_ip(request)}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600)
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        used = 1
    return used > limit


def _new_challenge() -> tuple[str, str]:
    a, b = random.randint(1, 9), random.randint(1, 9)
    token = signing.dumps({"answer": a + b, "issued": time.time()}, salt=CHALLENGE_SALT)
    return _("What is %(a)d + %(b)d?") % {"a": a, "b": b}, token


class SubmitForm(forms.Form):
    request_type = forms.ChoiceField(
        label=gettext_lazy("Kind of demand"),
        choices=[(v, label) for v, label in RequestType.choices if v in RESIDENT_TYPES],
    )
    community = forms.ModelChoiceField(
        label=gettext_lazy("Your community"), queryset=Place.objects.filter(level="community").order_by("code")
    )
    title = forms.CharField(label=gettext_lazy("In one line"), max_length=200)
    content = forms.CharField(label=gettext_lazy("What happened, where and since when"), widget=forms.Textarea)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)
    reporter_name = forms.CharField(label=gettext_lazy("Your name (optional)"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=gettext_lazy("Your phone (for the callback)"), max_length=20)
    confidential = forms.BooleanField(label=gettext_lazy("Keep my identity secret"), required=False)
    answer = forms.IntegerField(label=gettext_lazy("Answer"))
    challenge = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(_("The form could not be accepted."))
        try:
            challenge = signing.loads(data.get("challenge", ""), salt=CHALLENGE_SALT, max_age=3600)
        except signing.BadSignature:
            raise forms.ValidationError(_("The form has expired; please fill it in again.")) from None
        if time.time() - challenge["issued"] < MIN_SECONDS_TO_FILL:
            raise forms.ValidationError(_("The form was sent too fast; please check it and send it again."))
        if data.get("answer") != challenge["answer"]:
            self.add_error("answer", _("That is not the right answer."))
        return data


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    form = SubmitForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "submit", SUBMISSIONS_PER_HOUR):
            return render(request, "cases/public/limited.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = case_submit_by_resident(
                    title=data["title"],
                    content=data["content"],
                    request_type=data["request_type"],
                    community=data["community"],
                    address=data["address"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    confidential=data["confidential"],
                )
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return render(request, "cases/public/submitted.html", {"case": case})
    # Every rendering asks a new question; the template writes the signed answer and an empty answer box itself.
    question, token = _new_challenge()
    return render(request, "cases/public/submit.html", {"form": form, "question": question, "token": token})


class TrackForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Case number"), max_length=20)
    phone_last4 = forms.CharField(label=gettext_lazy("Last four digits of your phone"), min_length=4, max_length=4)


class RateForm(forms.Form):
    process_satisfaction = forms.ChoiceField(label=gettext_lazy("How were you treated?"), choices=Satisfaction.choices)
    result_satisfaction = forms.ChoiceField(
        label=gettext_lazy("Are you satisfied with the result?"), choices=Satisfaction.choices
    )
    resolved = forms.TypedChoiceField(
        label=gettext_lazy("Is the problem solved?"),
        coerce=lambda v: v == "1",
        choices=[("1", gettext_lazy("Solved")), ("0", gettext_lazy("Not solved"))],
    )
    note = forms.CharField(
        label=gettext_lazy("Anything to add"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Find a case by number + last four phone digits; show its progress and, when it waits for it, the rating."""
    form = TrackForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        if _limited(request, "track", LOOKUPS_PER_HOUR):
            return render(request, "cases/public/limited.html", status=429)
        try:
            case = case_find_for_resident(
                number=form.cleaned_data["number"], phone_last4=form.cleaned_data["phone_last4"]
            )
        except DomainError as exc:
            context["error"] = exc.message
        else:
            rate = RateForm(request.POST or None)
            if request.method == "POST" and rate.is_valid():
                try:
                    case = case_rate_by_resident(
                        number=case.number, phone_last4=form.cleaned_data["phone_last4"], **rate.cleaned_data
                    )
                    context["rated"] = True
                except DomainError as exc:
                    context["error"] = exc.message
            context.update({"case": case, "rate": rate, "events": labelled(list(case.events.order_by("at", "id")))})
    return render(request, "cases/public/track.html", context)

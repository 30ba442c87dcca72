"""Forms of the case screens: they parse input; the services decide and raise errors that name the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiedao.cases.choices import (
    Channel,
    DispatchRole,
    NotAcceptedReason,
    RequestType,
    ReturnReason,
    Satisfaction,
    Urgency,
)
from jiedao.cases.workflow import Action
from jiedao.categories.models import Category
from jiedao.places.models import Place
from jiedao.units.models import Unit
from jiedao.workdays.choices import LimitUnit

# The registration fields whose changes refresh the hint of possible duplicates (see cases/new.html).
DUPLICATE_SOURCE = {"data-duplicate-source": ""}


class RegisterForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    upstream_number = forms.CharField(label=_("Upstream number"), required=False, max_length=64)
    request_type = forms.ChoiceField(label=_("Request type"), choices=RequestType.choices, initial=RequestType.HELP)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        # Kept in the browser's draft with the path shown beside it (app.js), though hidden.
        widget=forms.HiddenInput(attrs={"data-draft-keep": ""}),
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=DUPLICATE_SOURCE))
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 5, **DUPLICATE_SOURCE}))
    address = forms.CharField(
        label=_("Address"), required=False, max_length=300, widget=forms.TextInput(attrs=DUPLICATE_SOURCE)
    )
    place = forms.ModelChoiceField(
        label=_("Grid or community"),
        queryset=Place.objects.none(),
        required=False,
        widget=forms.Select(attrs=DUPLICATE_SOURCE),
    )
    lng = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=10,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"data-point": "lng", **DUPLICATE_SOURCE}),
    )
    lat = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=10,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"data-point": "lat", **DUPLICATE_SOURCE}),
    )
    reporter_name = forms.CharField(label=_("Reporter's name"), required=False, max_length=50)
    reporter_phone = forms.CharField(
        label=_("Reporter's phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", **DUPLICATE_SOURCE}),
    )
    confidential = forms.BooleanField(label=_("Keep the reporter's identity secret"), required=False)
    upstream_deadline = forms.DateTimeField(
        label=_("Upstream deadline"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RequiredNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(NoteForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=NotAcceptedReason.choices)


class ResultForm(forms.Form):
    result_text = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}))


class DispatchForm(NoteForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=DispatchRole.choices, initial=DispatchRole.MAIN)

    def __init__(self, *args: Any, units: Any = None, main_dispatched: bool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if main_dispatched is not None:
            # The first dispatch names the main unit, every later one adds a co-handling unit (the service refuses
            # anything else): the form offers only the role that will be accepted.
            role = DispatchRole.CO if main_dispatched else DispatchRole.MAIN
            self.fields["role"].choices = [(role.value, role.label)]  # type: ignore[attr-defined]
            self.fields["role"].initial = role


class ReturnForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReturnReason.choices)
    note = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewReturnForm(NoteForm):
    unit = forms.ModelChoiceField(label=_("Re-dispatch to"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class VerifyForm(NoteForm):
    passed = forms.TypedChoiceField(
        label=_("Verification"), coerce=lambda v: v == "1", choices=[("1", _("Passed")), ("0", _("Failed: rework"))]
    )


class CallbackForm(NoteForm):
    process_satisfaction = forms.ChoiceField(label=_("Process satisfaction"), choices=Satisfaction.choices)
    result_satisfaction = forms.ChoiceField(label=_("Result satisfaction"), choices=Satisfaction.choices)
    resolved = forms.TypedChoiceField(
        label=_("Resolved"), coerce=lambda v: v == "1", choices=[("1", _("Resolved")), ("0", _("Not resolved"))]
    )
    rework = forms.BooleanField(label=_("Send back for rework"), required=False)


class ExtensionForm(forms.Form):
    amount = forms.DecimalField(label=_("Extension"), min_value=0, max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service counts the extension in the unit of the case's running finishing limit: say which.
        unit = getattr(case, "finish_unit", "")
        if unit in LimitUnit.values:
            self.fields["amount"].help_text = gettext("In %(unit)s, the unit of the case's time limit.") % {
                "unit": LimitUnit(unit).label
            }


class DecisionForm(NoteForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "1", choices=[("1", _("Approve")), ("0", _("Refuse"))]
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class SuperviseForm(forms.Form):
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 2}))


class SupervisionAnswerForm(forms.Form):
    supervision = forms.IntegerField(widget=forms.HiddenInput)
    reply = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(NoteForm):
    into = forms.CharField(label=_("Main case number"), max_length=20)


# The form each action takes (None: a button with no input).
ACTION_FORMS: dict[str, type[forms.Form] | None] = {
    Action.ACCEPT: None,
    Action.REJECT: RejectForm,
    Action.ANSWER: ResultForm,
    Action.DISPATCH: DispatchForm,
    Action.SIGN: None,
    Action.RETURN: ReturnForm,
    Action.REDISPATCH: ReviewReturnForm,
    Action.REFUSE_RETURN: RequiredNoteForm,
    Action.CONTACT: RequiredNoteForm,
    Action.REPLY: ResultForm,
    Action.VERIFY: VerifyForm,
    Action.CALLBACK: CallbackForm,
    Action.REWORK: RequiredNoteForm,
    Action.ARCHIVE: None,
    Action.SUSPEND: ReasonForm,
    Action.RESUME: NoteForm,
    Action.PARK: ReasonForm,
    Action.UNPARK: NoteForm,
    Action.REQUEST_EXTENSION: ExtensionForm,
    Action.DECIDE_EXTENSION: DecisionForm,
    Action.SUPERVISE: SuperviseForm,
    Action.ANSWER_SUPERVISION: SupervisionAnswerForm,
    Action.ESCALATE: RequiredNoteForm,
    Action.MERGE: MergeForm,
    Action.VOID: RequiredNoteForm,
    Action.REQUEST_EXCLUSION: ReasonForm,
    Action.DECIDE_EXCLUSION: DecisionForm,
    Action.NOTE: RequiredNoteForm,
}

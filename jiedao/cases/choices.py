"""The vocabulary of the demand loop (DOMAIN.md §2): channels, types, urgency, states, resolutions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    HOTLINE_12345 = "12345", _("12345 hotline transfer")
    GRID = "grid", _("Grid worker report")
    RESIDENT = "resident", _("Resident self-service")
    PHONE = "phone", _("Phone")
    WINDOW = "window", _("Service window")
    VISIT = "visit", _("Door-to-door visit")
    WECHAT = "wechat", _("WeChat")
    DEPARTMENT = "department", _("Department push")
    LEADER = "leader", _("Assigned by a leader")
    MEDIA = "media", _("Media exposure")


class RequestType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report of wrongdoing")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted, awaiting dispatch")
    DISPATCHED = "dispatched", _("Dispatched, awaiting sign-off")
    RETURNED = "returned", _("Returned, awaiting review")
    HANDLING = "handling", _("Being handled")
    REPLIED = "replied", _("Replied, awaiting verification")
    CALLBACK = "callback", _("Awaiting callback")
    SUSPENDED = "suspended", _("Suspended")
    PARKED = "parked", _("Parked")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class Resolution(models.TextChoices):
    """Why a case ended where it is (kept apart from the state)."""

    NONE = "", _("—")
    ANSWERED = "answered", _("Answered at once")
    HANDLED = "handled", _("Handled")
    SELF_HANDLED = "self_handled", _("Handled on the spot")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    MERGED = "merged", _("Merged into another case")
    VOIDED = "voided", _("Voided")


class NotAcceptedReason(models.TextChoices):
    LITIGATION = "litigation", _("In litigation, arbitration or administrative review")
    PETITION = "petition", _("Already a petition in progress")
    EMERGENCY = "emergency", _("Emergency: call 110, 119 or 120")
    OUTSIDE_DUTY = "outside_duty", _("Outside the office's duties")
    INSUFFICIENT = "insufficient", _("Not enough information to act on")


class ReturnReason(models.TextChoices):
    WRONG_PLACE = "wrong_place", _("Not our area")
    WRONG_DUTY = "wrong_duty", _("Not our duty")
    UNCLEAR_OWNERSHIP = "unclear_ownership", _("Ownership unclear")


class DispatchRole(models.TextChoices):
    MAIN = "main", _("Main unit")
    CO = "co", _("Co-handling unit")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Escalation(models.IntegerChoices):
    GRID = 0, _("Grid")
    COMMUNITY = 1, _("Community")
    DEPARTMENT = 2, _("Office department")
    DEPUTY_LEADER = 3, _("Deputy leader")
    PRINCIPAL_LEADER = 4, _("Principal leader")


class Stage(models.TextChoices):
    """The clocks a case runs against; deadline rules give one limit per stage."""

    SIGN = "sign", _("Sign-off")
    CONTACT = "contact", _("First contact")
    FINISH = "finish", _("Finishing")
    CALLBACK = "callback", _("Callback")
    REWORK = "rework", _("Rework")
    SUPERVISION = "supervision", _("Supervision reply")


class AttachmentKind(models.TextChoices):
    BEFORE = "before", _("Before handling")
    AFTER = "after", _("After handling")
    EVIDENCE = "evidence", _("Handling material")
    OTHER = "other", _("Other")

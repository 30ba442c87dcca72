"""The work order (工单) and its hops: dispatches, extensions, suspensions, supervision, callbacks, events."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiedao.cases.choices import (
    AttachmentKind,
    Channel,
    DispatchRole,
    Escalation,
    NotAcceptedReason,
    RequestType,
    Resolution,
    ReturnReason,
    Satisfaction,
    Stage,
    State,
    Urgency,
)
from jiedao.cases.querysets import SCOPE_CODE_LENGTH, CaseQuerySet
from jiedao.core.fields import EncryptedCharField
from jiedao.core.models import TimeStampedModel
from jiedao.workdays.choices import LimitUnit

USER = settings.AUTH_USER_MODEL


class CaseSequence(models.Model):
    """The last number given in an office and year; locked while the next one is taken."""

    office = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="case_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last}"


class Case(TimeStampedModel):
    number = models.CharField(_("case number"), max_length=20)
    upstream_number = models.CharField(_("upstream number"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    request_type = models.CharField(_("request type"), max_length=16, choices=RequestType.choices)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    category = models.ForeignKey(
        "categories.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    # The address as the duplicate finder compares it (jiedao.cases.duplicates.address_key), set at registration.
    address_key = models.CharField(max_length=300, blank=True, default="", db_index=True, editable=False)
    lng = models.DecimalField(_("longitude"), max_digits=10, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=10, decimal_places=6, null=True, blank=True)
    office = models.ForeignKey("places.Place", verbose_name=_("office"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        "places.Place", verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The code of the most precise place known (grid, community or office prefix): what visibility filters on.
    scope_code = models.CharField(_("scope code"), max_length=SCOPE_CODE_LENGTH, db_index=True)
    reporter_name = EncryptedCharField(_("reporter name"), blank=True, default="")
    reporter_phone = EncryptedCharField(_("reporter phone"), blank=True, default="")
    reporter_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    reporter_phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("The reporter asked for secrecy: his identity is never shown to the units."),
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REGISTERED, db_index=True)
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution.choices, blank=True, default="")
    not_accepted_reason = models.CharField(
        _("reason for not accepting"), max_length=16, choices=NotAcceptedReason.choices, blank=True
    )
    state_before_suspension = models.CharField(max_length=16, choices=State.choices, blank=True, editable=False)
    escalation = models.PositiveSmallIntegerField(_("escalation level"), choices=Escalation.choices, default=0)
    main_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("main unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result_text = models.TextField(_("result"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # The clocks of the current hop; None when the stage is not running.
    upstream_deadline = models.DateTimeField(_("upstream deadline"), null=True, blank=True)
    sign_deadline = models.DateTimeField(_("sign-off deadline"), null=True, blank=True)
    contact_deadline = models.DateTimeField(_("first contact deadline"), null=True, blank=True)
    finish_deadline = models.DateTimeField(_("finishing deadline"), null=True, blank=True)
    callback_deadline = models.DateTimeField(_("callback deadline"), null=True, blank=True)
    # The running finishing clock: when it started (receipt, or rework), its limit (with approved extensions
    # added) and the limit's unit, so a suspension or an extension recomputes the deadline the same way.
    finish_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finish_limit = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True, editable=False)
    finish_unit = models.CharField(max_length=16, choices=LimitUnit.choices, blank=True, editable=False)
    dispatched_at = models.DateTimeField(_("first dispatched at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    # Copies kept by the services for the KPIs, so a year of 三率 is one pass over this table: the main-unit
    # dispatch signed for first (when, and its sign-off deadline), and the latest callback.
    first_signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_sign_deadline = models.DateTimeField(null=True, blank=True, editable=False)
    callback_at = models.DateTimeField(null=True, blank=True, editable=False)
    callback_resolved = models.BooleanField(null=True, blank=True, editable=False)
    callback_result = models.CharField(max_length=16, choices=Satisfaction.choices, blank=True, editable=False)
    callback_process = models.CharField(max_length=16, choices=Satisfaction.choices, blank=True, editable=False)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    excluded_from_scoring = models.BooleanField(_("excluded from scoring"), default=False)
    # Indexed by the partial index case_merged_into below, not the foreign key's own.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        db_index=False,
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Bumped by every action: a form posts the version it showed, so a stale click is refused, not applied.
    version = models.PositiveIntegerField(default=0)

    objects = CaseQuerySet.as_manager()
    # The field values as read from the database (attname → value); None for a case not loaded from it.
    loaded_values: dict[str, Any] | None = None

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="case_number_unique_in_office"),
            models.UniqueConstraint(
                fields=["channel", "upstream_number"],
                condition=~Q(upstream_number=""),
                name="case_upstream_number_unique_per_channel",
            ),
            models.CheckConstraint(condition=Q(state__in=State.values), name="case_state_valid"),
        ]
        indexes = [
            models.Index(fields=["office", "state"]),
            models.Index(fields=["scope_code", "state"]),
            # The newest-first lists (the "all" queue) walk these backwards and stop after a page: the office's
            # across all its places, a grid's (scope code equal to the grid's) within it.
            models.Index(fields=["received_at", "id"], name="case_received_id"),
            models.Index(fields=["scope_code", "received_at", "id"], name="case_place_received_id"),
            # The working queues (one state, nearest deadline first) and the overdue queue (the states whose clock
            # runs, deadline passed): a range per state. A partial index would do for PostgreSQL, but SQLite cannot
            # match its condition against the bound parameters of a query.
            models.Index(fields=["state", "finish_deadline"], name="case_state_deadline"),
            # The duplicate finder's bounding box around a point (a latitude band, the longitude checked in the index).
            models.Index(fields=["lat", "lng"], name="case_lat_lng"),
            # The dashboard counts today and the stale days live, per anchor date (jiedao.analytics.rollups).
            models.Index(fields=["dispatched_at"], name="case_dispatched_at"),
            models.Index(fields=["callback_at"], name="case_callback_at"),
            models.Index(fields=["finish_deadline"], name="case_finish_deadline"),
            # A case page lists the repeats merged into it. Almost every case has none: with statistics (ANALYZE,
            # PRAGMA optimize) SQLite judged a plain index on this mostly-NULL column useless and scanned every case
            # instead (34 ms a page at 100,000 cases). The partial index holds only the merged ones.
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="case_merged_into"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any) -> Case:
        """Keep the values as loaded: the KPI rollups compare them with the saved ones (analytics.signals)."""
        instance = super().from_db(db, field_names, values, **kwargs)
        instance.loaded_values = dict(zip(field_names, values, strict=True))
        return instance


class Dispatch(models.Model):
    """One dispatch of a case to a unit (主办 or 协办), with its own clocks and outcome."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispatches")
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="dispatches")
    role = models.CharField(_("role"), max_length=8, choices=DispatchRole.choices, default=DispatchRole.MAIN)
    dispatched_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    dispatched_at = models.DateTimeField(_("dispatched at"))
    sign_deadline = models.DateTimeField(_("sign-off deadline"), null=True, blank=True)
    finish_deadline = models.DateTimeField(_("finishing deadline"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=24, choices=ReturnReason.choices, blank=True)
    return_note = models.TextField(_("return note"), blank=True)
    review_result = models.CharField(_("review of the return"), max_length=16, blank=True)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["dispatched_at", "id"]
        # The handler's 待签收 queue reads its units' unsigned dispatches: a few among the unit's whole history.
        indexes = [
            models.Index(fields=["unit"], condition=Q(active=True, signed_at__isnull=True), name="dispatch_unsigned")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(active=True, role=DispatchRole.MAIN), name="one_active_main_dispatch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.unit.name} ({self.get_role_display()})"


class Extension(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    amount = models.DecimalField(_("extension"), max_digits=6, decimal_places=2)
    unit = models.CharField(_("unit of time"), max_length=16, choices=LimitUnit.choices)
    reason = models.TextField(_("reason"))
    approved = models.BooleanField(_("approved"), null=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    deadline_before = models.DateTimeField(null=True, blank=True)
    deadline_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(approved__isnull=True), name="one_pending_extension")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.amount} {self.unit}"


class Suspension(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"))
    started_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_at__isnull=True), name="one_open_suspension")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.started_at:%Y-%m-%d}"


class Supervision(models.Model):
    """督办单: a notice with its own deadline and reply; an overlay, not a state."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    issued_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField()
    unit = models.ForeignKey("units.Unit", verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("content"))
    deadline = models.DateTimeField(_("reply deadline"))
    automatic = models.BooleanField(default=False)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} 督办 {self.issued_at:%Y-%m-%d}"


class Verification(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="verifications")
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {'✓' if self.passed else '✗'}"


class Callback(models.Model):
    """回访: the resident's rating of the process and of the result."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="callbacks")
    process_satisfaction = models.CharField(_("process satisfaction"), max_length=16, choices=Satisfaction.choices)
    result_satisfaction = models.CharField(_("result satisfaction"), max_length=16, choices=Satisfaction.choices)
    resolved = models.BooleanField(_("resolved"))
    note = models.TextField(_("note"), blank=True)
    reached = models.BooleanField(_("resident reached"), default=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    # The latest callback of a case counts for the KPIs; earlier ones stay for the history.
    is_latest = models.BooleanField(default=True, db_index=True)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.result_satisfaction}"


class ScoringExclusion(models.Model):
    """A request, and its decision, to leave an unreasonable demand out of the scores."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exclusions")
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    reason = models.TextField(_("reason"))
    approved = models.BooleanField(null=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(approved__isnull=True), name="one_pending_exclusion")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} exclusion"


class CaseEvent(models.Model):
    """The case's history and audit trail: one row per action, written in the action's transaction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class DeadlineRule(TimeStampedModel):
    """A time limit for one stage; blank fields match anything, and the most specific matching rule wins."""

    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    request_type = models.CharField(_("request type"), max_length=16, choices=RequestType.choices, blank=True)
    category = models.ForeignKey(
        "categories.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Applies to this category and everything below it."),
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    amount = models.DecimalField(_("limit"), max_digits=6, decimal_places=2)
    unit = models.CharField(_("unit of time"), max_length=16, choices=LimitUnit.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["stage", "request_type", "urgency", "channel"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="deadline_rule_amount_positive")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.amount} {self.get_unit_display()}"


class Attachment(models.Model):
    """A photo or document of a case. The file's type is read from its content; its stored name is random."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices, default=AttachmentKind.OTHER)
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/", max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AttachmentKind.values), name="attachment_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.original_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

"""Trained triage models (versioned with their data and the evaluation that admitted them) and the suggestions
shown to dispatchers with what they chose, so accuracy in production is measured, not assumed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiedao.triage.choices import Kind, ModelStatus


class TriageModel(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=ModelStatus.choices)
    trained_at = models.DateTimeField(_("trained at"))
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("training data"), max_length=300)
    # What it learnt from: the number of examples and classes, a digest of (id, label) pairs, the newest case.
    examples = models.PositiveIntegerField(_("training examples"))
    classes = models.PositiveIntegerField(_("classes"))
    data_digest = models.CharField(_("digest of the training data"), max_length=64)
    data_until = models.DateTimeField(_("newest case learnt"), null=True, blank=True)
    # The evaluation on the held-out examples, and the current model's score on the same examples then.
    heldout = models.PositiveIntegerField(_("held-out examples"))
    heldout_digest = models.CharField(_("digest of the held-out examples"), max_length=64)
    macro_f1 = models.FloatField(_("macro-F1"))
    accuracy = models.FloatField(_("accuracy"))
    evaluation = models.JSONField(_("evaluation (per-class F1 and support)"), default=dict)
    previous_macro_f1 = models.FloatField(_("macro-F1 of the model in use"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=300)
    file = models.CharField(_("file"), max_length=300)
    size = models.PositiveBigIntegerField(_("size in bytes"))

    class Meta:
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="triage_model_version_unique"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(status=ModelStatus.CURRENT), name="triage_one_current_model_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Suggestion(models.Model):
    """What the model proposed for a case when the dispatcher decided, and what she chose."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="triage_suggestions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    model = models.ForeignKey(
        TriageModel, verbose_name=_("triage model"), null=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    proposed = models.JSONField(_("proposed"), default=list)  # [[label, probability], ...] best first
    chosen = models.CharField(_("chosen"), max_length=32)
    chosen_category = models.ForeignKey(
        "categories.Category",
        verbose_name=_("chosen category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted = models.BooleanField(_("top suggestion taken"))
    in_top3 = models.BooleanField(_("among the three suggestions"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("triage suggestion")
        verbose_name_plural = _("triage suggestions")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {'✓' if self.accepted else '✗'}"

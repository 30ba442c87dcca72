"""Reads of the triage app: suggestions for a text being typed or a case being dispatched, and the measured
accuracy of the suggestions in production."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from jiedao.categories.models import Category
from jiedao.triage import store
from jiedao.triage.choices import CATEGORY_KINDS, Kind, ModelStatus
from jiedao.triage.classifier import Doc
from jiedao.triage.models import Suggestion, TriageModel
from jiedao.units.models import Unit

logger = logging.getLogger(__name__)

# A category level is proposed when its best guess is at least this likely; else the level above is.
MIN_CONFIDENCE = 0.4
# Below this a proposal is noise: not shown.
MIN_SHOWN = 0.05
TOP = 3


@dataclass(frozen=True)
class Proposal:
    label: str  # category code or unit id, as the model knows it
    probability: float
    obj: Any  # the Category or Unit

    @property
    def percent(self) -> int:
        return int(self.probability * 100 + 0.5)


@dataclass(frozen=True)
class Proposals:
    kind: str
    model_id: int
    items: list[Proposal]

    @property
    def pairs(self) -> list[tuple[str, float]]:
        return [(p.label, p.probability) for p in self.items]


def current_models() -> dict[str, TriageModel]:
    return {m.kind: m for m in TriageModel.objects.filter(status=ModelStatus.CURRENT)}


def _top(model: TriageModel, doc: Doc) -> list[tuple[str, float]] | None:
    try:
        classifier = store.load(model.file)
    except store.Unreadable:
        logger.warning("triage model %s (%s) cannot be read: no suggestion", model.pk, model.file)
        return None  # a missing, damaged or outdated file means no suggestion, never an error on the form
    return classifier.top([doc], TOP)[0]


def suggest_categories(*, title: str, content: str) -> Proposals | None:
    """The likeliest categories of a demand at the most precise level the models are sure enough of.

    None when no model is in use, the text is empty, or no proposal names an active category.
    """
    if not (title.strip() or content.strip()):
        return None
    models = current_models()
    doc = Doc(title, content)
    for kind in CATEGORY_KINDS:
        model = models.get(kind)
        if model is None:
            continue
        top = _top(model, doc)
        if not top:
            continue
        is_last = kind == Kind.CATEGORY_1 or not any(
            k in models for k in CATEGORY_KINDS[CATEGORY_KINDS.index(kind) + 1 :]
        )
        if top[0][1] < MIN_CONFIDENCE and not is_last:
            continue
        found = Category.objects.filter(code__in=[label for label, _p in top], is_active=True).select_related(
            "parent__parent"
        )
        by_code = {c.code: c for c in found}
        items = [Proposal(label, p, by_code[label]) for label, p in top if label in by_code and p >= MIN_SHOWN]
        if items:
            return Proposals(kind=kind, model_id=model.pk, items=items)
    return None


def suggest_units(*, title: str, content: str, units: Any) -> Proposals | None:
    """The likeliest handling units of a demand among `units` (those the dispatcher may choose), or None."""
    model = current_models().get(Kind.UNIT)
    if model is None or not (title.strip() or content.strip()):
        return None
    top = _top(model, Doc(title, content))
    if not top:
        return None
    ids = [int(label) for label, _p in top if label.isdigit()]
    by_id = {str(u.pk): u for u in units.filter(pk__in=ids)}
    items = [Proposal(label, p, by_id[label]) for label, p in top if label in by_id and p >= MIN_SHOWN]
    return Proposals(kind=Kind.UNIT, model_id=model.pk, items=items) if items else None


@dataclass(frozen=True)
class AcceptanceRow:
    label: str  # category path or unit name
    suggested: int
    accepted: int
    in_top3: int

    @property
    def accepted_share(self) -> float:
        return self.accepted / self.suggested if self.suggested else 0.0

    @property
    def top3_share(self) -> float:
        return self.in_top3 / self.suggested if self.suggested else 0.0


def acceptance(kind_prefix: str = "category") -> tuple[AcceptanceRow, list[AcceptanceRow]]:
    """The share of suggestions taken as proposed (and within the top three), in all and by the category the
    dispatcher chose (or by unit for `kind_prefix="unit"`), most suggested first."""
    rows = Suggestion.objects.filter(kind__startswith=kind_prefix)
    suggested, accepted = Count("id"), Count("id", filter=Q(accepted=True))
    in_top3 = Count("id", filter=Q(in_top3=True))
    total = rows.aggregate(n_suggested=suggested, n_accepted=accepted, n_top3=in_top3)
    overall = AcceptanceRow(str(_("All")), total["n_suggested"], total["n_accepted"], total["n_top3"])
    grouped = list(
        rows.values("chosen")
        .annotate(n_suggested=suggested, n_accepted=accepted, n_top3=in_top3)
        .order_by("-n_suggested", "chosen")
    )
    names: dict[str, str] = {}
    if kind_prefix == "unit":
        names = {str(pk): name for pk, name in Unit.objects.values_list("pk", "name")}
    else:
        for category in Category.objects.filter(code__in=[g["chosen"] for g in grouped]).select_related(
            "parent__parent"
        ):
            names[category.code] = category.path
    return overall, [
        AcceptanceRow(names.get(g["chosen"], g["chosen"]), g["n_suggested"], g["n_accepted"], g["n_top3"])
        for g in grouped
    ]

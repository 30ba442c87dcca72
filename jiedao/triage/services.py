"""Writes of the triage app: train and admit a model; record what was suggested and what the dispatcher chose."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from jiedao.core import clock
from jiedao.core.errors import DomainError
from jiedao.triage import store
from jiedao.triage.choices import Kind, ModelStatus
from jiedao.triage.classifier import Evaluation, Progress, TextClassifier, evaluate, prepare_all
from jiedao.triage.examples import Example, split
from jiedao.triage.models import Suggestion, TriageModel

# Fewer held-out examples than this say too little to compare two models.
MIN_HELDOUT = 20


class TrainingRefused(DomainError):
    code = "triage_training_refused"


@dataclass(frozen=True)
class Outcome:
    model: TriageModel
    admitted: bool
    evaluation: Evaluation
    previous: Evaluation | None


def _current(kind: str) -> TriageModel | None:
    return TriageModel.objects.filter(kind=kind, status=ModelStatus.CURRENT).first()


def triage_train(
    *,
    kind: str,
    examples: Sequence[Example],
    source: str,
    actor: Any = None,
    progress: Progress | None = None,
) -> Outcome:
    """Train a model of `kind` on the non-held-out `examples`, evaluate it on the held-out ones and put it in use
    only if it scores at least as well (macro-F1) as the model in use does on the same held-out examples.

    Raises TrainingRefused when there are too few examples or classes. The current model's row is locked while
    the decision is written, so two trainings never both become current.
    """
    if kind not in Kind.values:
        raise TrainingRefused(_("Unknown model kind “%(kind)s”.") % {"kind": kind})
    train, heldout = split(examples)
    if len(heldout) < MIN_HELDOUT:
        raise TrainingRefused(
            _("Too few examples to train and evaluate: %(count)d, of which %(heldout)d held out (at least %(min)d).")
            % {"count": len(examples), "heldout": len(heldout), "min": MIN_HELDOUT}
        )
    prepared = prepare_all([e.doc for e in train], progress)
    try:
        classifier = TextClassifier().fit(prepared, [e.label for e in train], progress)
    except ValueError as exc:
        raise TrainingRefused(_("Cannot train: %(reason)s.") % {"reason": exc}) from None
    held_docs, held_labels = [e.doc for e in heldout], [e.label for e in heldout]
    evaluation = evaluate(classifier.predict, held_docs, held_labels)
    if progress is not None:
        progress("evaluate", 1, 1)
    now = clock.now()
    data_digest = store.digest([f"{e.key}={e.label}" for e in train])
    heldout_digest = store.digest([f"{e.key}={e.label}" for e in heldout])
    # Unique even for the same data trained twice in one second: the old file is deleted after the new one is in use.
    name = f"{kind}-{now:%Y%m%d%H%M%S}-{data_digest[:10]}-{secrets.token_hex(4)}"
    file_name, size = store.save(classifier, name=name)
    try:
        return _admit(
            kind=kind,
            classifier_file=file_name,
            size=size,
            evaluation=evaluation,
            held_docs=held_docs,
            held_labels=held_labels,
            train=train,
            heldout_digest=heldout_digest,
            data_digest=data_digest,
            source=source,
            actor=actor,
            now=now,
        )
    except BaseException:
        store.delete(file_name)
        raise


@transaction.atomic
def _admit(
    *,
    kind: str,
    classifier_file: str,
    size: int,
    evaluation: Evaluation,
    held_docs: list[Any],
    held_labels: list[str],
    train: list[Example],
    heldout_digest: str,
    data_digest: str,
    source: str,
    actor: Any,
    now: dt.datetime,
) -> Outcome:
    current = TriageModel.objects.select_for_update().filter(kind=kind, status=ModelStatus.CURRENT).first()
    previous: Evaluation | None = None
    if current is not None:
        try:
            previous = evaluate(store.load(current.file).predict, held_docs, held_labels)
        except store.Unreadable:
            previous = None  # the model in use cannot be read: any working model is better
    admitted = previous is None or evaluation.macro_f1 >= previous.macro_f1
    if previous is None:
        decision = _("Admitted: no readable model in use.")
    elif admitted:
        decision = _("Admitted: macro-F1 %(new).4f ≥ %(old).4f of the model in use on the same held-out cases.")
    else:
        decision = _("Not admitted: macro-F1 %(new).4f < %(old).4f of the model in use on the same held-out cases.")
    decision = decision % {"new": evaluation.macro_f1, "old": previous.macro_f1 if previous else 0.0}
    if admitted and current is not None:
        current.status = ModelStatus.RETIRED
        current.save(update_fields=["status"])
    version = (TriageModel.objects.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0) + 1
    closed = [e.at for e in train if isinstance(e.at, dt.datetime)]
    try:
        model = TriageModel.objects.create(
            kind=kind,
            version=version,
            status=ModelStatus.CURRENT if admitted else ModelStatus.REJECTED,
            trained_at=now,
            trained_by=actor if getattr(actor, "is_authenticated", False) else None,
            source=source[:300],
            examples=len(train),
            classes=len({e.label for e in train}),
            data_digest=data_digest,
            data_until=max(closed) if closed else None,
            heldout=evaluation.n,
            heldout_digest=heldout_digest,
            macro_f1=evaluation.macro_f1,
            accuracy=evaluation.accuracy,
            evaluation=evaluation.as_json(),
            previous_macro_f1=previous.macro_f1 if previous else None,
            decision=decision,
            file=classifier_file,
            size=size,
        )
    except IntegrityError:
        raise TrainingRefused(_("Another training of this model finished at the same time; try again.")) from None
    # Only the model in use keeps its file; the rows keep the history (data, scores, decision).
    unused = classifier_file if not admitted else (current.file if current is not None else "")
    if unused:
        transaction.on_commit(lambda: store.delete(unused))
    return Outcome(model=model, admitted=admitted, evaluation=evaluation, previous=previous)


def suggestion_record(
    *,
    case: Any,
    kind: str,
    model_id: int | None,
    proposed: Sequence[tuple[str, float]],
    chosen: str,
    actor: Any,
    chosen_category: Any = None,
) -> Suggestion | None:
    """Record what was proposed for `case` and what the dispatcher chose; nothing when nothing was proposed."""
    if not proposed or not chosen:
        return None
    labels = [label for label, _p in proposed]
    return Suggestion.objects.create(
        case=case,
        kind=kind,
        model=TriageModel.objects.filter(pk=model_id).first() if model_id else None,
        proposed=[[label, round(p, 4)] for label, p in proposed],
        chosen=chosen,
        chosen_category=chosen_category,
        accepted=labels[0] == chosen,
        in_top3=chosen in labels[:3],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=clock.now(),
    )


def suggestion_record_category(*, case: Any, actor: Any) -> Suggestion | None:
    """After registration: record the categories the model in use proposes for the case's text (what the form
    showed for the text as sent) next to the category the dispatcher chose. Nothing without a model or a choice.
    """
    from jiedao.triage.selectors import suggest_categories

    if case.category is None:
        return None
    proposals = suggest_categories(title=case.title, content=case.content)
    if proposals is None:
        return None
    level = Kind.category_level(proposals.kind) or 1
    return suggestion_record(
        case=case,
        kind=proposals.kind,
        model_id=proposals.model_id,
        proposed=proposals.pairs,
        chosen=case.category.code[: 2 * level] if case.category.level >= level else case.category.code,
        chosen_category=case.category,
        actor=actor,
    )


def suggestion_record_unit(*, case: Any, unit: Any, units: Any, actor: Any) -> Suggestion | None:
    """After a dispatch: record the units the model in use proposes (as the form showed them) and the unit chosen."""
    from jiedao.triage.selectors import suggest_units

    proposals = suggest_units(title=case.title, content=case.content, units=units)
    if proposals is None:
        return None
    return suggestion_record(
        case=case,
        kind=Kind.UNIT,
        model_id=proposals.model_id,
        proposed=proposals.pairs,
        chosen=str(unit.pk),
        actor=actor,
    )

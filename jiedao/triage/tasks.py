"""Weekly retraining in the worker, when enough cases closed since the models in use learnt."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiedao.core.errors import DomainError
from jiedao.triage import examples as ex
from jiedao.triage import store
from jiedao.triage.choices import Kind, ModelStatus
from jiedao.triage.models import TriageModel
from jiedao.triage.services import triage_train

# Retrain a kind when at least this many new examples exist since its model in use learnt (or it has none).
RETRAIN_MIN_NEW = 200


def retrain_due(*, min_new: int = RETRAIN_MIN_NEW) -> dict[str, str]:
    """Train every kind with enough new closed cases; return kind → what happened (admitted, kept, skipped)."""
    results: dict[str, str] = {}
    for kind in Kind.values:
        found = ex.from_cases(kind)
        current = TriageModel.objects.filter(kind=kind, status=ModelStatus.CURRENT).first()
        since = current.data_until if current is not None else None
        new = [e for e in found if since is None or (e.at is not None and e.at > since)]  # type: ignore[operator]
        if current is not None and (current.source != "closed cases" or not store.readable(current.file)):
            new = found  # a model from a file, or one this code cannot read: the office's own cases count in full
        if len(new) < min_new:
            results[kind] = f"skipped: {len(new)} new examples"
            continue
        try:
            outcome = triage_train(kind=kind, examples=found, source="closed cases")
        except DomainError as exc:
            results[kind] = f"skipped: {exc.message}"
            continue
        results[kind] = "admitted" if outcome.admitted else "kept the model in use"
    return results


@db_periodic_task(crontab(day_of_week="0", hour="2", minute="30"))  # type: ignore[untyped-decorator]
def retrain_weekly() -> dict[str, str]:
    """Sunday 02:30: retrain the triage models that have enough new closed cases."""
    return retrain_due()

"""System checks: a bad KPI weight in the settings is caught at start-up, not on the first dashboard."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from jiedao.analytics.kpis import basic_satisfaction_weight, composite_weights


@register()
def check_kpi_weights(app_configs: Any, **kwargs: Any) -> list[Error]:
    problems: list[Error] = []
    try:
        basic_satisfaction_weight()
    except ValueError as exc:
        problems.append(Error(f"KPI_BASIC_SATISFACTION_WEIGHT: {exc}.", id="analytics.E001"))
    try:
        composite_weights()
    except (ValueError, AttributeError) as exc:
        problems.append(
            Error(
                f"KPI_COMPOSITE_WEIGHTS: {exc}.",
                hint="A mapping of rate KPIs to weights, e.g. {'response': 30, 'resolution': 35, 'satisfaction': 35}.",
                id="analytics.E002",
            )
        )
    return problems

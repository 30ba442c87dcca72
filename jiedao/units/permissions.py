"""Fetching units with authorisation in one call."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from jiedao.units.models import Unit


def access_unit(user: Any, unit_id: int) -> Unit:
    """Return the unit if the user may see it; Http404 when missing or forbidden alike."""
    try:
        unit: Unit = Unit.objects.visible_to(user).select_related("office").get(pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404 from None
    return unit

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from jiedao.notifications.selectors import unread_count
from jiedao.web.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = items_for(user)
    # The longest matching URL is the current section ("/" only matches the home page itself).
    current = max(
        (i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))),
        key=lambda i: len(i["url"]),
        default=None,
    )
    # Lazy: one COUNT only when the header badge is rendered (fragments without the header cost nothing).
    unread = functools.cache(functools.partial(unread_count, user))
    return {"nav_items": items, "nav_current": current["key"] if current else "", "unread_notifications": unread}

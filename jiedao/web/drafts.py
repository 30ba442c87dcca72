"""Drafts kept in the browser: what a user types is never lost to an ended session, a refused submission or a reload.

A form marked `data-draft="KEY"` keeps its typed fields in the tab's sessionStorage (web/static/jiedao/app.js: this
tab only, gone when it closes, never sent anywhere) and, when it is rendered empty (`data-draft-restore`), fills
them back in and says so. The draft is dropped when the page after a successful submission carries a success message
tagged with `tag(KEY)`: only the server knows the work was saved.
"""

from __future__ import annotations

PREFIX = "draft:"


def tag(key: str) -> str:
    """The extra tag of the success message that confirms the draft `key` was saved."""
    return f"{PREFIX}{key}"


def case_action(case_id: int, action: str) -> str:
    """The draft key of one action's form on one case's page."""
    return f"case-{case_id}-{action}"


REGISTER = "register"
FIELD_REPORT = "field-report"

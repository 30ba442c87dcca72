"""Every write on a case: one atomic service per action (see base.begin/finish for what they share)."""

from jiedao.cases.services.attachments import case_attach
from jiedao.cases.services.dispatching import case_dispatch, case_return, case_review_return, case_sign
from jiedao.cases.services.field import case_report_from_field, case_self_handle
from jiedao.cases.services.handling import (
    case_archive,
    case_callback,
    case_contact,
    case_extension_decide,
    case_extension_request,
    case_park,
    case_reply,
    case_resume,
    case_rework,
    case_suspend,
    case_unpark,
    case_verify,
)
from jiedao.cases.services.intake import (
    case_accept,
    case_answer,
    case_merge,
    case_register,
    case_register_upstream,
    case_reject,
    case_void,
)
from jiedao.cases.services.oversight import (
    case_escalate,
    case_exclusion_decide,
    case_exclusion_request,
    case_note,
    case_supervise,
    case_supervision_answer,
)
from jiedao.cases.services.public import case_find_for_resident, case_rate_by_resident, case_submit_by_resident

__all__ = [
    "case_accept",
    "case_answer",
    "case_archive",
    "case_attach",
    "case_callback",
    "case_contact",
    "case_dispatch",
    "case_escalate",
    "case_exclusion_decide",
    "case_exclusion_request",
    "case_extension_decide",
    "case_extension_request",
    "case_find_for_resident",
    "case_merge",
    "case_note",
    "case_park",
    "case_rate_by_resident",
    "case_register",
    "case_register_upstream",
    "case_reject",
    "case_reply",
    "case_report_from_field",
    "case_resume",
    "case_return",
    "case_review_return",
    "case_rework",
    "case_self_handle",
    "case_sign",
    "case_submit_by_resident",
    "case_supervise",
    "case_supervision_answer",
    "case_suspend",
    "case_unpark",
    "case_verify",
    "case_void",
]

"""Writes: every step of a data access request, each one transaction, audited and notified.

Stages (docs/access-requests.md): draft → (co-applicants confirm) → submitted → questions sent
back ⇄ answered → reviewed → approved (an agreement is issued) or rejected. An amendment is a new
version of an approved request, starting from its live terms, through the same stages.
"""

from dspt.access.services.applying import (
    amendment_start,
    coapplicant_confirm,
    request_answer,
    request_create,
    request_submit,
    request_withdraw,
)
from dspt.access.services.common import TERMS, AccessDenied, AccessError
from dspt.access.services.deciding import request_decide, request_review, request_send_back

__all__ = [
    "TERMS",
    "AccessDenied",
    "AccessError",
    "amendment_start",
    "coapplicant_confirm",
    "request_answer",
    "request_create",
    "request_decide",
    "request_review",
    "request_send_back",
    "request_submit",
    "request_withdraw",
]

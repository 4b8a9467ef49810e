"""The JSON API at /api/v1/: one NinjaAPI, with a router per domain app.

Public endpoints declare `auth=None`; everything else requires a bearer token or a signed-in
browser session (see dspt.api.auth). Error shapes and the refusals every operation documents:
dspt.api.contract.
"""

from dspt.access.api import router as access
from dspt.accounts.api import router as accounts
from dspt.api.auth import api_auth, oversight_auth
from dspt.api.contract import ContractAPI
from dspt.assessments.api import router as assessments
from dspt.assessments.api_caf import router as caf
from dspt.cld.api import router as cld
from dspt.improvement_plans.api import router as plans
from dspt.monitoring.api import router as monitoring
from dspt.monitoring.api_public import router as public_figures
from dspt.notifications.api import router as notifications
from dspt.organisations.api import router as organisations
from dspt.statuses.api import router as statuses
from dspt.support.api import router as support

api = ContractAPI(
    title="Data Security and Protection Toolkit API",
    version="1",
    description=(
        "Public status look-ups, and authenticated access to your own organisation's assessment, "
        "improvement plans and monitoring. Authenticate with `Authorization: Bearer <token>` "
        "(an organisation admin creates tokens) or a signed-in browser session."
    ),
    urls_namespace="api",
    auth=api_auth,
)


@api.get("/health", auth=None, tags=["public"])
def health(request) -> dict:
    """Liveness: answers without touching the database."""
    return {"ok": True}


api.add_router("", statuses)
api.add_router("/me", accounts, auth=oversight_auth)
api.add_router("/my-organisations", organisations)
api.add_router("/assessments", assessments)
api.add_router("/caf", caf)
api.add_router("/plans", plans)
api.add_router("/monitoring", monitoring, auth=oversight_auth)
api.add_router("/figures", public_figures)
api.add_router("/support", support, auth=oversight_auth)
api.add_router("/cld", cld)
api.add_router("/access", access)
api.add_router("/notifications", notifications)

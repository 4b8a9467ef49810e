"""The JSON API at /api/v1/: one NinjaAPI, with a router per domain app."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Data Security and Protection Toolkit API",
    version="1",
    description="Public status look-ups and authenticated access to an organisation's own assessment.",
    urls_namespace="api",
)


@api.get("/health", auth=None, tags=["public"])
def health(request) -> dict:
    """Liveness: answers without touching the database."""
    return {"ok": True}

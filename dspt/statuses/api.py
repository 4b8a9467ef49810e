"""API endpoints for statuses (mounted by dspt/api/api.py)."""

from ninja import Router

router = Router(tags=["statuses"])

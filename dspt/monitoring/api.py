"""API endpoints for monitoring (mounted by dspt/api/api.py)."""

from ninja import Router

router = Router(tags=["monitoring"])

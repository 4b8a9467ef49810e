"""API endpoints for support (mounted by dspt/api/api.py)."""

from ninja import Router

router = Router(tags=["support"])

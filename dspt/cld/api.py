"""API endpoints for cld (mounted by dspt/api/api.py)."""

from ninja import Router

router = Router(tags=["cld"])

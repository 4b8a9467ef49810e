"""API endpoints for accounts (mounted by dspt/api/api.py)."""

from ninja import Router

router = Router(tags=["accounts"])

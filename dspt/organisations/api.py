"""API endpoints for organisations (mounted by dspt/api/api.py)."""

from ninja import Router

router = Router(tags=["organisations"])

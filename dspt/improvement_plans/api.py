"""API endpoints for improvement_plans (mounted by dspt/api/api.py)."""

from ninja import Router

router = Router(tags=["improvement_plans"])

"""API endpoints for assessments (mounted by dspt/api/api.py)."""

from ninja import Router

router = Router(tags=["assessments"])

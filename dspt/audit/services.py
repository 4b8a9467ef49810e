"""Write audit events. Call `record` inside the same transaction as the change it describes."""

from typing import Any

from django.db.models import Model

from dspt.audit.models import AuditEvent


def client_ip(request) -> str | None:
    """The caller's address (the proxy is trusted to set REMOTE_ADDR correctly)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor=None,
    organisation=None,
    obj: Model | None = None,
    detail: dict[str, Any] | None = None,
    request=None,
) -> AuditEvent:
    """Append one event to the audit log."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=(getattr(actor, "email", "") or str(actor)) if actor else "system",
        action=action,
        organisation=organisation,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        ip=client_ip(request),
    )

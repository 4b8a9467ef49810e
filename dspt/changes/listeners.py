"""This process's own writes, told to the caches that read what a mark reads.

Every cache registers a listener with `on_change`; one signal receiver per model calls the
listeners that care about it at once (this process's next read sees its own write) and once more
when the transaction commits (a request in another thread may have read, and kept, the data as
it was before the commit). One write therefore costs one on-commit callback, however many caches
listen. Writes made by other processes are found by comparing marks (marks.py, detect.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import transaction

Listener = Callable[[], None]

_lock = threading.Lock()
# uid -> (listener, models it hears about), in registration order.
_listeners: dict[str, tuple[Listener, frozenset[type]]] = {}


def _marked_models() -> tuple[type, ...]:
    """What a mark reads: publications, organisations, moved deadlines (and cover rows)."""
    from dspt.assessments.models import Publication
    from dspt.frameworks.models import DeadlineOverride
    from dspt.organisations.models import Organisation

    return (Publication, Organisation, DeadlineOverride, Publication.covers.through)


def on_change(listener: Listener, uid: str, *, also: tuple[type, ...] = ()) -> None:
    """Call `listener()` after every save and delete in this process of what a mark reads —
    publications, their covered sites, organisations, moved deadlines — and of the models in
    `also`, and again when the transaction commits. `uid` names the listener, so registering
    twice is harmless."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    models = frozenset((*_marked_models(), *also))
    with _lock:
        _listeners[uid] = (listener, models)
    for model in models:
        uid_for = f"changes-{model.__name__}"
        for signal in (post_save, post_delete):
            signal.connect(_heard, sender=model, dispatch_uid=uid_for)
        if model._meta.auto_created:  # a many-to-many table: .add() and .remove() say so here
            m2m_changed.connect(_heard, sender=model, dispatch_uid=uid_for)


def _heard(sender, **kwargs) -> None:
    with _lock:
        called = [listener for listener, models in _listeners.values() if sender in models]
    if not called:
        return
    _call(called)
    transaction.on_commit(lambda: _call(called))


def _call(listeners: list[Listener]) -> None:
    for listener in listeners:
        listener()

"""Progress reported from an engine's thread while the caller holds a transaction (the demo
loader checks its extracts inside one) is saved without "database is locked"."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction

from dspt.cld.models import Submission
from dspt.cld.services.progress import ProgressSaver
from dspt.organisations.models import Organisation, OrgType


@pytest.mark.django_db(transaction=True)
def test_progress_from_an_engine_thread_inside_a_transaction_never_locks():
    org = Organisation.objects.create(
        ods_code="LAX01", name="Somewhere Council", org_type=OrgType.LOCAL_AUTHORITY
    )
    sub = Submission.objects.create(organisation=org, original_name="x.csv")
    problems: list[BaseException] = []
    with transaction.atomic():  # as the demo loader does around its whole run
        Submission.objects.filter(pk=sub.pk).update(state=Submission.State.CHECKING)
        saver = ProgressSaver(sub.pk, low=0, high=100, interval=0)
        saver(0.1)

        def engine() -> None:  # DuckDB's progress is watched from a thread like this one
            try:
                saver(0.5)
            except BaseException as exc:  # noqa: BLE001 - the test reports what happened
                problems.append(exc)

        thread = threading.Thread(target=engine)
        thread.start()
        thread.join(timeout=15)
        assert not thread.is_alive(), "the engine's thread waits on the transaction's lock"
        saver(0.2)  # the next report in this thread writes the engine's 50% with it
    assert problems == []
    assert Submission.objects.get(pk=sub.pk).progress == 50

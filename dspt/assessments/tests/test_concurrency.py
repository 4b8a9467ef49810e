"""Two people pressing Publish at the same moment end with one publication.

Real threads with their own database connections, on whichever database the suite runs on
(SQLite with IMMEDIATE transactions, or PostgreSQL with row locks).
"""

import threading

import pytest
from django.db import connection

from dspt.assessments import services
from dspt.assessments.models import Assessment, Publication

from .conftest import ALL_MET, answer_all

pytestmark = pytest.mark.django_db(transaction=True)


def _race(workers):
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(i, work):
        try:
            barrier.wait(timeout=10)
            results[i] = work()
        except Exception as exc:  # the outcome under test, collected for the asserts
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _needs_shared_database():
    # An in-memory SQLite test database is shared between threads through SQLite's shared
    # cache, which reports "table is locked" at once instead of waiting; the race needs a
    # database file or a server.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs a file-based SQLite test database or PostgreSQL")


def test_two_people_publishing_at_once_make_one_publication(orgs, people):
    _needs_shared_database()
    assessment = services.start_assessment(orgs["A"], people["member_a"])
    answer_all(assessment, people["member_a"], ALL_MET)
    seen = assessment.version

    def publish_as(user):
        return lambda: services.publish(
            Assessment.objects.get(pk=assessment.pk), user, expected_version=seen
        )

    results = _race([publish_as(people["member_a"]), publish_as(people["admin_a"])])
    published = [r for r in results if isinstance(r, Publication)]
    refused = [r for r in results if isinstance(r, services.AlreadyPublished)]
    assert len(published) == 1, results
    assert len(refused) == 1, results
    assert "already published at this version" in str(refused[0])
    assert Publication.objects.filter(organisation=orgs["A"]).count() == 1


def test_two_people_saving_the_same_version_lose_no_update(orgs, people):
    _needs_shared_database()
    assessment = services.start_assessment(orgs["A"], people["member_a"])
    seen = assessment.version

    def save(user, value):
        return lambda: services.save_answer(
            Assessment.objects.get(pk=assessment.pk),
            "1.1.2",
            value=value,
            user=user,
            expected_version=seen,
        )

    results = _race([save(people["member_a"], "Jo"), save(people["admin_a"], "Sam")])
    saved = [r for r in results if not isinstance(r, Exception)]
    stale = [r for r in results if isinstance(r, services.StaleVersion)]
    assert len(saved) == 1 and len(stale) == 1, results
    assessment.refresh_from_db()
    assert assessment.version == seen + 1

"""The pages, through the Django test client: the whole loop, and who may reach what."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from dspt.improvement_plans.lifecycle import on_publication
from dspt.improvement_plans.models import ImprovementPlan, PlanState, PlanVersion
from dspt.notifications.models import Notification
from dspt.statuses.compute import Status
from dspt.statuses.selectors import status_of

from .conftest import publish_not_met


@pytest.fixture
def plan(world):
    return on_publication(publish_not_met(world["trust"]))


def as_user(client, user):
    client.force_login(user)
    return client


def download_xlsx(client) -> bytes:
    r = client.get("/plans/RR8/template.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    return r.content


def fill_workbook(data: bytes, owner: str = "Jo Bloggs") -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Plan"]
    for r in (2, 3):
        ws.cell(row=r, column=5, value="Write and adopt the policy")
        ws.cell(row=r, column=7, value=owner)
        ws.cell(row=r, column=8, value="31/01/2026")
    ws.cell(row=3, column=7, value=None if owner == "" else owner)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, data: bytes, name="plan.xlsx"):
    return client.post("/plans/RR8/upload/", {"plan_file": SimpleUploadedFile(name, data)})


def test_whole_loop_through_the_pages(client, world, plan):
    admin, reviewer = world["people"]["admin"], world["people"]["reviewer"]
    as_user(client, admin)
    page = client.get("/plans/RR8/")
    assert page.status_code == 200
    assert b"Download the template (Excel, XLSX)" in page.content

    # Upload with a mistake: row-by-row error, nothing stored.
    bad = fill_workbook(download_xlsx(client), owner="")
    r = upload(client, bad)
    assert r.status_code == 400
    assert "Row 3 (item 3.2.1): no action owner." in r.content.decode()
    assert PlanVersion.objects.count() == 0

    # Fixed: kept as version 1, awaiting review.
    r = upload(client, fill_workbook(download_xlsx(client)))
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.AWAITING_REVIEW

    # Reviewer rejects with reasons; organisation resubmits; reviewer approves.
    as_user(client, reviewer)
    queue = client.get("/plans/review/")
    assert b"Leeds Teaching Hospitals" in queue.content
    assert client.get(f"/plans/review/{plan.pk}/").status_code == 200
    client.post(f"/plans/review/{plan.pk}/decide/", {"decision": "rejected", "reasons": "Vague"})
    plan.refresh_from_db()
    assert plan.state == PlanState.REJECTED
    as_user(client, admin)
    assert b"Vague" in client.get("/plans/RR8/").content
    assert upload(client, fill_workbook(download_xlsx(client)), "again.xlsx").status_code == 302
    as_user(client, reviewer)
    compare = client.get(f"/plans/review/{plan.pk}/compare/")
    assert compare.status_code == 200 and b"Compare version 1 with version 2" in compare.content
    client.post(f"/plans/review/{plan.pk}/decide/", {"decision": "approved"})
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    assert status_of(world["trust"]).status == Status.APPROACHING

    assert b"Approved" in client.get(f"/plans/review/{plan.pk}/").content

    # The organisation works the plan.
    as_user(client, admin)
    page = client.get("/plans/RR8/").content.decode()
    assert "Work the plan" in page and "Send update" in page and "Upload and check" not in page
    client.post("/plans/RR8/actions/0/", {"status": "done", "evidence_note": "Board minutes"})
    client.post("/plans/RR8/updates/", {"summary": "Policy adopted"})
    plan.refresh_from_db()
    assert plan.rows[0]["status"] == "done" and plan.updates.count() == 1
    assert "Policy adopted" in client.get("/plans/RR8/").content.decode()
    assert Notification.objects.filter(user=admin, kind="plan_approved").exists()
    assert client.get("/plans/notifications/")["Location"] == "/notifications/"
    notes = client.get("/notifications/")
    assert b"Your improvement plan is approved" in notes.content
    client.post("/notifications/read/")
    assert not Notification.objects.filter(user=admin, read_at__isnull=True).exists()


def test_fill_in_the_page(client, world, plan):
    as_user(client, world["people"]["member"])
    form = client.get("/plans/RR8/fill/")
    assert form.status_code == 200
    post = {"row_count": "3", "action": "submit"}
    for i, item in enumerate(("1.1.1", "3.2.1")):
        post.update(
            {
                f"r{i}-item_id": item,
                f"r{i}-actions": "Do it",
                f"r{i}-owner": "Jo",
                f"r{i}-target_date": "2026-02-01",
            }
        )
    post["r1-owner"] = ""
    r = client.post("/plans/RR8/fill/", post)
    assert r.status_code == 400 and "Row 2 (item 3.2.1): no action owner." in r.content.decode()
    post["action"] = "draft"
    client.post("/plans/RR8/fill/", post)
    plan.refresh_from_db()
    assert plan.draft_rows[1]["item_id"] == "3.2.1" and plan.state == PlanState.DRAFT
    post.update({"r1-owner": "Sam", "action": "submit"})
    assert client.post("/plans/RR8/fill/", post).status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.AWAITING_REVIEW
    assert plan.versions.get().source == "form"


def test_senior_reviewer_accepts_by_exception_on_the_page(client, world, plan):
    as_user(client, world["people"]["admin"])
    data = fill_workbook(download_xlsx(client))
    wb = load_workbook(io.BytesIO(data))
    wb["Plan"].cell(row=2, column=8, value="30/09/2026")  # after the publication lapses
    buf = io.BytesIO()
    wb.save(buf)
    assert upload(client, buf.getvalue()).status_code == 302
    as_user(client, world["people"]["reviewer"])
    page = client.get(f"/plans/review/{plan.pk}/").content.decode()
    assert "Does not meet the criteria" in page and "Accept by exception" not in page
    client.post(f"/plans/review/{plan.pk}/decide/", {"decision": "approved"}, follow=True)
    plan.refresh_from_db()
    assert plan.state == PlanState.AWAITING_REVIEW
    as_user(client, world["people"]["senior"])
    assert "Accept by exception" in client.get(f"/plans/review/{plan.pk}/").content.decode()
    client.post(
        f"/plans/review/{plan.pk}/decide/",
        {"decision": "accepted_by_exception", "justification": "Contract signed"},
    )
    plan.refresh_from_db()
    assert plan.state == PlanState.ACCEPTED_BY_EXCEPTION


ORG_PAGES = ["/plans/RR8/", "/plans/RR8/template.xlsx", "/plans/RR8/template.csv"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("member", 200),
        ("viewer", 200),
        ("other_admin", 404),
        ("reviewer", 200),
        ("london_reviewer", 404),
        ("national_reviewer", 200),
        ("programme", 200),
        ("platform_admin", 200),
        ("commissioner", 404),
        ("lso", 404),
    ],
)
def test_organisation_pages_matrix(client, world, plan, who, expected):
    as_user(client, world["people"][who])
    for url in ORG_PAGES:
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(
    ("who", "fill", "upload_status"),
    [
        ("admin", 200, 400),
        ("member", 200, 400),
        ("viewer", 403, 403),
        ("other_admin", 404, 404),
        ("reviewer", 403, 403),
        ("commissioner", 404, 404),
    ],
)
def test_changing_pages_matrix(client, world, plan, who, fill, upload_status):
    as_user(client, world["people"][who])
    assert client.get("/plans/RR8/fill/").status_code == fill
    r = client.post("/plans/RR8/upload/", {"plan_file": SimpleUploadedFile("p.csv", b"x,y\r\n")})
    assert r.status_code == upload_status
    assert PlanVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "queue", "detail"),
    [
        ("reviewer", 200, 200),
        ("senior", 200, 200),
        ("national_reviewer", 200, 200),
        ("london_reviewer", 200, 404),
        ("programme", 200, 200),
        ("platform_admin", 200, 200),
        ("admin", 403, 403),
        ("commissioner", 403, 403),
        ("lso", 403, 403),
    ],
)
def test_reviewer_pages_matrix(client, world, plan, who, queue, detail):
    as_user(client, world["people"][who])
    assert client.get("/plans/review/").status_code == queue
    assert client.get(f"/plans/review/{plan.pk}/").status_code == detail
    assert client.get("/plans/escalations/").status_code == queue


def test_programme_and_out_of_remit_cannot_decide(client, world, plan):
    plan.state = PlanState.AWAITING_REVIEW
    plan.save()
    for who in ("programme", "london_reviewer", "admin"):
        as_user(client, world["people"][who])
        r = client.post(f"/plans/review/{plan.pk}/decide/", {"decision": "approved"})
        assert r.status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.state == PlanState.AWAITING_REVIEW and plan.approved_on is None


def test_anonymous_is_sent_to_sign_in(client, plan):
    for url in ("/plans/RR8/", "/plans/review/", "/plans/escalations/"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/sign-in/" in r["Location"]


def test_uploaded_file_only_for_those_who_may_see_the_plan(client, world, plan):
    as_user(client, world["people"]["admin"])
    assert upload(client, fill_workbook(download_xlsx(client))).status_code == 302
    assert client.get("/plans/RR8/versions/1/file").status_code == 200
    for who, code in (
        ("reviewer", 200),
        ("london_reviewer", 404),
        ("other_admin", 404),
        ("commissioner", 404),
    ):
        as_user(client, world["people"][who])
        assert client.get("/plans/RR8/versions/1/file").status_code == code, who
    assert ImprovementPlan.objects.count() == 1


def test_no_plan_for_an_organisation_without_not_met(client, world):
    as_user(client, world["people"]["admin"])
    page = client.get("/plans/RR8/")
    assert page.status_code == 200 and b"does not need an improvement plan" in page.content
    assert client.get("/plans/RR8/template.xlsx").status_code == 404


def test_reviewers_see_when_a_plans_organisation_registered_itself_unchecked(client, world, plan):
    trust = world["trust"]
    reviewer = world["people"]["reviewer"]
    as_user(client, reviewer)
    flag = "Registration not verified"
    assert flag not in client.get(f"/plans/review/{plan.pk}/").content.decode()
    # Registered by its own admin, not known from a register, and not yet checked.
    type(trust).objects.filter(pk=trust.pk).update(self_registered=True, admin_verified_at=None)
    assert flag in client.get(f"/plans/review/{plan.pk}/").content.decode()
    assert flag in client.get(f"/plans/review/?state={plan.state}").content.decode()

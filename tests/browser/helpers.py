"""Shared steps for browser journeys."""

import os
from datetime import date, timedelta
from pathlib import Path

from dspt.frameworks.model import ResponseType, load_edition

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def snapshot(target, name: str, **options) -> None:
    """Save a screenshot of a page (or one element) for a person to look at, only when
    DSPT_SCREENSHOTS names a directory. No assertion reads one, and Chromium can fail to
    capture a tall page on a busy machine ("Unable to capture screenshot"), which once failed a
    test whose every assertion had passed."""
    folder = os.environ.get("DSPT_SCREENSHOTS")
    if folder:
        path = Path(folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(path), **options)


def answer_to_meet(page, item, today: date, tmp_path) -> None:
    """Fill one evidence item's inputs, on its standard page, so that the item is met."""
    section = page.locator(f'section[data-item="{item.id}"]')
    kind = item.response_type
    if kind == ResponseType.CONFIRM:
        section.locator('input[type=radio][value="yes"]').check()
    elif kind == ResponseType.TEXT:
        section.locator(f'textarea[name="value-{item.id}"]').fill(
            "Written down and reviewed by the manager."
        )
    elif kind == ResponseType.DATE:
        when = today - timedelta(days=30)
        section.locator('input[name$="[day]"]').fill(str(when.day))
        section.locator('input[name$="[month]"]').fill(str(when.month))
        section.locator('input[name$="[year]"]').fill(str(when.year))
    elif kind in (ResponseType.NUMBER, ResponseType.PERCENTAGE):
        value = item.threshold if item.threshold is not None else 1
        section.locator(f'input[name="value-{item.id}"]').fill(
            str(int(value) if value == int(value) else value)
        )
    elif kind == ResponseType.CHOICE:
        key = next(c.key for c in item.choices if c.meets)
        section.locator(f'input[type=radio][value="{key}"]').check()
    elif kind == ResponseType.DOCUMENT:
        doc = tmp_path / f"evidence-{item.id}.pdf"
        doc.write_bytes(PDF)
        section.locator("input[type=file]").set_input_files(str(doc))


def answer_whole_edition(page, site, ods_code, edition_code, audience, category, today, tmp_path):
    """Work through every standard page answering each mandatory item so it is met."""
    edition = load_edition(edition_code, audience)
    for standard in edition.standards:
        page.goto(f"{site}/assessments/{ods_code}/standards/{standard.number}/")
        for assertion in standard.assertions:
            for item in assertion.items:
                if item.is_mandatory(category):
                    answer_to_meet(page, item, today, tmp_path)
        # The page first finishes any answers it is saving in the background, then submits.
        with page.expect_navigation():
            page.get_by_role("button", name="Save and return to the overview").click()
        problems = page.locator(".nhsuk-error-summary")
        assert problems.count() == 0, f"standard {standard.number}: {problems.first.inner_text()}"


PASSWORD = "a sensible long passphrase"


def person(email: str, org=None, role: str = "member", **kw):
    """A person with PASSWORD, and a membership of `org` in `role` when given."""
    from dspt.accounts.models import Membership, User

    user = User(username=email, email=email, full_name=email.split("@")[0], **kw)
    user.set_password(PASSWORD)
    user.save()
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


def sign_in(page, site: str, email: str, password: str = PASSWORD) -> None:
    """Sign in afresh (cookies cleared) as `email` (with PASSWORD unless told otherwise)."""
    page.context.clear_cookies()
    page.goto(site + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


def accessible(page, what: str) -> None:
    """No axe violations on the page; `what` names it in the failure."""
    from tests.browser.conftest import axe_violations

    problems = axe_violations(page)
    assert problems == [], f"{what}: {problems}"

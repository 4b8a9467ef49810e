"""Browser tests: Debian's Chromium driven by Playwright against a live Django server.

We never download a browser: Chromium comes from the system package (/usr/bin/chromium).
"""

import os

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
# one unless told the test thread is safe (it is: the server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DSPT_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url():
    """No base URL: tests navigate with the live server's full address (`site`). Defined here
    because pytest-playwright's own fallback is a fixture on a plugin object, which pytest 9
    warns is deprecated."""
    return None


@pytest.fixture
def site(live_server, settings):
    """The live server's base URL, with static files served from the source tree."""
    settings.DSPT_TODAY = settings.DSPT_TODAY or "2026-11-23"
    return live_server.url


IMPACTS = ("minor", "moderate", "serious", "critical")


def axe_violations(page, impacts=IMPACTS) -> list[dict]:
    """Run axe-core in the page and return its violations at the given impact levels: by
    default every one, whatever its impact (the goal is none on every page the tests visit)."""
    # A click that navigates returns once the new document is committed, before it has a
    # <head>; wait for it to load so the script tag has somewhere to go (a CI run failed here).
    page.wait_for_load_state("load")
    # Loaded from our own origin: the content security policy forbids inline scripts.
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:3]],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]

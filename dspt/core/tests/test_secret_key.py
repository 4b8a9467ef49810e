"""The secret key: `dspt serve` refuses the development key while DEBUG is off; the key can
come from a file (as `make run` gives the demo one)."""

from __future__ import annotations

import os
import secrets
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dspt.core.tests.environments import DSPT, clean_env, settings_in
from dspt.settings import DEV_SECRET_KEY


@pytest.fixture
def no_server(monkeypatch):
    """Stop `dspt serve` just before gunicorn would start; record that it got there."""
    from gunicorn.app.base import BaseApplication

    started = []
    monkeypatch.setattr(BaseApplication, "run", lambda self: started.append(self))
    monkeypatch.setattr("dspt.api.management.commands.serve.call_command", lambda *a, **k: None)
    return started


def test_serve_refuses_the_development_key_with_debug_off(settings, no_server):
    settings.DEBUG = False
    settings.SECRET_KEY = DEV_SECRET_KEY
    with pytest.raises(CommandError, match="development secret key") as refused:
        call_command("serve", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # noqa: SIM115
    assert "DSPT_SECRET_KEY" in str(refused.value) and "DSPT_SECRET_KEY_FILE" in str(refused.value)
    assert no_server == []


@pytest.mark.parametrize(
    ("debug", "key"), [(False, "k" * 20 + "-long-random-key-" * 4), (True, None)]
)
def test_serve_starts_with_a_real_key_or_in_debug(settings, no_server, debug, key):
    settings.DEBUG = debug
    settings.SECRET_KEY = key or DEV_SECRET_KEY
    call_command("serve", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # noqa: SIM115
    assert len(no_server) == 1


def test_the_key_can_come_from_a_file_and_a_missing_file_is_refused(tmp_path):
    key_file = tmp_path / "secret.key"
    key = secrets.token_urlsafe(50)
    key_file.write_text(key + "\n")
    assert settings_in(clean_env(tmp_path, DSPT_SECRET_KEY_FILE=str(key_file)), "SECRET_KEY") == [
        repr(key)
    ]
    # The variable wins over the file.
    env = clean_env(tmp_path, DSPT_SECRET_KEY="from-env", DSPT_SECRET_KEY_FILE=str(key_file))
    assert settings_in(env, "SECRET_KEY") == ["'from-env'"]
    missing = clean_env(tmp_path, DSPT_SECRET_KEY_FILE=str(tmp_path / "nope.key"))
    done = subprocess.run([DSPT, "check"], env=missing, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "DSPT_SECRET_KEY_FILE" in done.stderr and "nope.key" in done.stderr

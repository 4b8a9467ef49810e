"""With DSPT_HTTPS=1: HSTS, the HTTPS redirect and secure cookies; `dspt check --deploy` is
clean in a production configuration."""

from __future__ import annotations

import secrets
import subprocess

from dspt.core.tests.environments import DSPT, clean_env, settings_in


def test_https_settings_and_a_clean_deploy_check(tmp_path):
    env = clean_env(
        tmp_path,
        DSPT_SECRET_KEY=secrets.token_urlsafe(50),
        DSPT_HTTPS="1",
        DSPT_ALLOWED_HOSTS="dspt.example.org",
        DSPT_CSRF_TRUSTED_ORIGINS="https://dspt.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert settings_in(
        env,
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "DEBUG",
    ) == [
        "True",
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "False",
    ]
    done = subprocess.run(
        [DSPT, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    # Without HTTPS the same check names what is missing.
    plain = dict(env, DSPT_HTTPS="0")
    done = subprocess.run(
        [DSPT, "check", "--deploy", "--fail-level", "WARNING"],
        env=plain,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "security.W004" in done.stderr + done.stdout

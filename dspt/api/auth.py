"""API authentication: bearer tokens for systems, the session (with CSRF) for the browser.

The tokens themselves are checked in dspt.accounts.auth (`TokenAuth`, `limit_to_token`); here
is which kind each router accepts.
"""

from ninja.security import django_auth

from dspt.accounts.auth import TokenAuth

api_auth = [TokenAuth(), django_auth]
# Where a personal (oversight) token is accepted as well: the routers dspt.api.api mounts with
# it (monitoring figures, watchlists, LSO records, "who am I"). Everywhere else the default
# refuses one, so a new endpoint can never be reached with one by accident (docs/adr/0004).
# Decided by the router, not the address, so it holds under any URL prefix.
oversight_auth = [TokenAuth(personal=True), django_auth]

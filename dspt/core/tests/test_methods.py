"""TRACE, CONNECT and methods the platform does not use are answered 405, on pages and the API."""

import pytest


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "BREW", "PROPFIND"])
@pytest.mark.parametrize("path", ["/", "/accounts/sign-in/", "/api/v1/health"])
def test_unexpected_methods_are_not_allowed(client, db, method, path):
    r = client.generic(method, path)
    assert r.status_code == 405
    assert r["Allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
    if path.startswith("/api/"):
        assert r.json() == {"detail": f"The {method} method is not allowed."}
    assert client.get(path).status_code == 200

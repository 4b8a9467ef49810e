"""Request filters that apply to every page and the API."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

# The methods the pages and the API use. Anything else (TRACE, CONNECT, WebDAV's PROPFIND, a
# made-up name) is answered 405 before a view, or any other middleware after this, sees it.
ALLOWED_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


class KnownMethodsOnly:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ALLOWED_METHODS:
            return self.get_response(request)
        message = f"The {request.method} method is not allowed."
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=405)
        else:
            response = HttpResponse(message, status=405, content_type="text/plain; charset=utf-8")
        response["Allow"] = ", ".join(ALLOWED_METHODS)
        return response

"""The project's URLs plus one that fails, to see the server error page in a browser."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from dspt.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def fail(request: HttpRequest) -> HttpResponse:
    """Always fails, as a bug would."""
    raise RuntimeError("a bug")


urlpatterns = [path("fail-for-a-test/", fail), *urlpatterns]

"""Test URL map: the real one, plus stand-ins for base-layout links whose pages live on other
branches not merged yet (statuses:search, accounts:sign_in, …). Used only while they are missing."""

from django.http import HttpResponse
from django.urls import include, path

from dspt import urls as real

STUBS = {
    "statuses": ["search", "about"],
    "organisations": ["home"],
    "accounts": ["sign_out", "sign_in", "register"],
}


def _stub(request):
    return HttpResponse("")


# A namespace listed first wins when reversing, so these stand in for the empty real ones.
urlpatterns = [
    path(f"__stub__/{ns}/", include(([path(f"{n}/", _stub, name=n) for n in names], ns)))
    for ns, names in STUBS.items()
] + real.urlpatterns

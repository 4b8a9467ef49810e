"""Test URL map: the project's, plus placeholders for base-layout links other apps have not built.

base.jinja links to pages in apps still being written (sign-in, search…). Until they exist, these
placeholders let our pages render in tests; once an app defines the name, its own view is used.
"""

from importlib import import_module

from django.http import HttpResponse
from django.urls import include, path

from dspt import urls as project

NEEDED = {
    "statuses": ["search", "about"],
    "accounts": ["sign_in", "sign_out", "register"],
    "organisations": ["home"],
}


def _placeholder(request, *args, **kwargs):
    return HttpResponse("placeholder")


def _with_placeholders(module: str, app_name: str, names: list[str]):
    real = list(import_module(module).urlpatterns)
    have = {getattr(p, "name", None) for p in real}
    extra = [path(f"__placeholder__/{n}/", _placeholder, name=n) for n in names if n not in have]
    return (real + extra, app_name)


_replaced = {f"dspt.{app}.urls": app for app in NEEDED}
urlpatterns = []
for pattern in project.urlpatterns:
    module = getattr(getattr(pattern, "urlconf_name", None), "__name__", None)
    app = _replaced.get(module)
    if app:
        urlpatterns.append(
            path(str(pattern.pattern), include(_with_placeholders(module, app, NEEDED[app])))
        )
    else:
        urlpatterns.append(pattern)

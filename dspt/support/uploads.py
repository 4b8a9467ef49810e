"""The one way LSO pages (and the API) take a CSV upload: size check, import all-or-nothing,
then either a redirect with a message or the problems to show by row."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from dspt.support.services import ImportError_, ImportResult

MAX_UPLOAD = 5 * 1024 * 1024


def read_upload(f) -> bytes:
    """The uploaded file's bytes; refuses a missing or oversized file."""
    if f is None:
        raise ImportError_(["Choose a CSV file to upload."])
    if f.size > MAX_UPLOAD:
        raise ImportError_(["The file is larger than 5 MB."])
    return f.read()


def handle_upload(
    request,
    run: Callable[[bytes], ImportResult],
    success: Callable[[ImportResult], str],
    redirect_to: str,
) -> HttpResponse | list[str]:
    """Import `request.FILES["file"]` with `run`; on success redirect with `success(result)`,
    otherwise return the problems (nothing was stored)."""
    try:
        result = run(read_upload(request.FILES.get("file")))
    except ImportError_ as exc:
        return exc.problems
    messages.success(request, success(result))
    return redirect(redirect_to)

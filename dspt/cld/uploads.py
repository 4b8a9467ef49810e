"""Write an upload once, straight into the processing zone.

Django's default handlers write a large upload to a temporary file (often on another filesystem)
and we then copied it into the zone: every byte written twice. `LandingZoneUploadHandler` writes
the file as it arrives into `incoming/` inside the zone, private to the process (0600), so
accepting it is a rename (`os.replace`) into the submission's folder. The size limit is enforced
while receiving; on any refusal the incoming file is deleted, so nothing is kept.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from dspt.cld import conf


def incoming_dir() -> Path:
    path = conf.storage_root() / "incoming"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


class IncomingFile(UploadedFile):
    """An upload being written to (or already written to) a file in the zone's incoming folder."""

    def __init__(self, name: str, content_type: str, charset) -> None:
        self.path = incoming_dir() / f"{uuid.uuid4().hex}.part"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        super().__init__(os.fdopen(fd, "w+b"), name, content_type, 0, charset)

    def temporary_file_path(self) -> str:
        """Where the bytes are (the name Django uses for "this upload is on disk")."""
        return str(self.path)

    def discard(self) -> None:
        """Close and delete (a refusal, or a request that ended without using the file)."""
        try:
            self.file.close()
        finally:
            self.path.unlink(missing_ok=True)


class LandingZoneUploadHandler(FileUploadHandler):
    """Stream each uploaded file into the processing zone, refusing it past `limit` bytes."""

    def __init__(self, request=None, *, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = int(conf.get("DSPT_CLD_MAX_UPLOAD_BYTES")) if limit is None else limit
        self.too_large = False
        self.files: list[IncomingFile] = []
        self.current: IncomingFile | None = None
        self.size = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.current = IncomingFile(self.file_name, self.content_type, self.charset)
        self.files.append(self.current)
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self.size += len(raw_data)
        if self.size > self.limit:
            self.too_large = True
            self.current.discard()
            # Read and drop the rest of the body so the browser gets our page, not a reset.
            raise StopUpload(connection_reset=False)
        self.current.write(raw_data)
        return None  # consumed: no later handler sees it

    def file_complete(self, file_size: int):
        self.current.file.flush()
        self.current.file.seek(0)
        self.current.size = file_size
        return self.current

    def upload_interrupted(self) -> None:
        self.discard_all()

    def discard_all(self) -> None:
        """Delete every incoming file this request still holds (moved ones are already gone)."""
        for f in self.files:
            f.discard()


API_UPLOAD_PATH = "/api/v1/cld/submissions"


class ApiUploadMiddleware:
    """Extracts sent to the API go straight into the processing zone too (written once).

    The API's form parsing happens inside django-ninja, after every middleware: installing the
    handler here, before anything reads the body, is the one place that can. Oversized bodies
    are refused before they are read (Content-Length) or while they arrive; whatever the
    endpoint did not move into place is deleted when the response leaves.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or request.path.rstrip("/") != API_UPLOAD_PATH:
            return self.get_response(request)
        from django.http import JsonResponse

        limit = int(conf.get("DSPT_CLD_MAX_UPLOAD_BYTES"))
        too_large = JsonResponse(
            {"detail": f"The file is larger than the {limit:,}-byte limit."}, status=413
        )
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 1024 * 1024:
            return too_large
        handler = LandingZoneUploadHandler(request, limit=limit)
        request.upload_handlers = [handler]
        try:
            response = self.get_response(request)
        finally:
            handler.discard_all()
        return too_large if handler.too_large else response

"""A cap on request bodies that carry files. Django checks the size of form fields
(DATA_UPLOAD_MAX_MEMORY_SIZE) but streams files of any size to disk before a view can
look at them; this stops reading as soon as a request is over the limit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


def upload_request_limit() -> int:
    # The largest file we accept, plus room for the form's other fields.
    return max(settings.IMAGE_MAX_BYTES, settings.DOCUMENT_MAX_BYTES) + 1_000_000


class UploadLimitHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: refuses a multipart body over the limit, by its
    declared length before anything is read, and by counting as it is read."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - Django's name
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.received = 0
        if content_length > upload_request_limit():
            raise RequestDataTooBig("The upload is too large.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > upload_request_limit():
            raise RequestDataTooBig("The upload is too large.")
        return raw_data  # the next handler stores it

    def file_complete(self, file_size: int) -> None:
        return None

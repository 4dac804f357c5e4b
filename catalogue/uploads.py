"""Checking and storing uploaded files. The type is read from the bytes, never
trusted from the name or the browser."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from core.errors import ValidationFailed

from .models import Upload

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_IMAGE_PIXELS = 40_000_000


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def _megabytes(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:g} MB"
    return f"{size / 1000:g} KB" if size >= 1000 else f"{size} bytes"


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    width: int
    height: int


def image_check(*, content: bytes, field: str = "image") -> CheckedImage:
    """A JPEG, PNG or WebP picture of at most IMAGE_MAX_BYTES, read from its bytes;
    ValidationFailed on `field`, in words, otherwise."""
    limit = settings.IMAGE_MAX_BYTES
    if not content:
        raise _fail(field, "The selected file is empty")
    if len(content) > limit:
        raise _fail(field, f"The picture must be smaller than {_megabytes(limit)}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                kind = image.format or ""
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _fail(field, "The picture is too large: use one under 40 megapixels")
                image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise _fail(field, "The selected file must be a JPG, PNG or WebP picture") from exc
    if kind not in IMAGE_TYPES:
        raise _fail(field, "The selected file must be a JPG, PNG or WebP picture")
    return CheckedImage(content_type=IMAGE_TYPES[kind], width=width, height=height)


def image_store(*, content: bytes, name: str, field: str = "image") -> Upload:
    """Store a JPEG, PNG or WebP picture of at most IMAGE_MAX_BYTES."""
    checked = image_check(content=content, field=field)
    return _store(content, name, checked.content_type, width=checked.width, height=checked.height)


def document_store(*, content: bytes, name: str, field: str = "document") -> Upload:
    """Store a PDF, JPEG or PNG document of at most DOCUMENT_MAX_BYTES."""
    limit = settings.DOCUMENT_MAX_BYTES
    if not content:
        raise _fail(field, "The selected file is empty")
    if len(content) > limit:
        raise _fail(field, f"The file must be smaller than {_megabytes(limit)}")
    if content.startswith(b"%PDF-"):
        content_type = "application/pdf"
    elif content.startswith(b"\xff\xd8\xff"):
        content_type = "image/jpeg"
    elif content.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type = "image/png"
    else:
        raise _fail(field, "The selected file must be a PDF, JPG or PNG")
    return _store(content, name, content_type)


def _store(
    content: bytes,
    name: str,
    content_type: str,
    *,
    width: int | None = None,
    height: int | None = None,
) -> Upload:
    safe_name = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload"
    return Upload.objects.create(
        content=content,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=safe_name,
        width=width,
        height=height,
    )

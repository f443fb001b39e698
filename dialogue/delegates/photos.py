"""Badge photos: checked by content, safe against decompression bombs, stripped of EXIF, cropped to the badge.

A photo is taken only if Pillow reads it as JPEG or PNG (the bytes decide, not the file's name), it
is at most `MAX_BYTES` and `MAX_PIXELS`, and it decodes whole. It is then turned upright (EXIF
orientation), cropped to the badge's 3:4 frame around the upper middle (where faces are), scaled to
`SIZE` and written again as a plain JPEG: no EXIF (no GPS position, no camera serial), no ICC or
text chunks leave the server. The result is stored by SHA-256 like generated files.
"""
from __future__ import annotations

import base64
import io
import warnings

from flask_babel import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from ..actions import DomainError
from ..jobs import storage
from ..models import audit
from ..permissions import can_edit_delegation, ensure

#: Largest upload taken (the request itself may be at most MAX_CONTENT_LENGTH, 8 MB).
MAX_BYTES = 6 * 1024 * 1024
#: Largest image taken: 40 megapixels, more than any camera a delegate sends a portrait from. A
#: 20,000 × 20,000 PNG of a few hundred kilobytes would need 1.2 GB of memory to decode.
MAX_PIXELS = 40_000_000
#: Width and height of a stored photo: 3:4, 300 dpi at the 25 × 33 mm it prints on a badge.
SIZE = (300, 400)
FORMATS = ("JPEG", "PNG")


class PhotoError(DomainError):
    """A photo that cannot be taken, with the reason in the user's language."""

    def __init__(self, message: str):
        super().__init__(message, "photo")


def _open(data: bytes) -> Image.Image:
    """The image, checked by content and size before a pixel is decoded."""
    try:
        with warnings.catch_warnings():
            # Pillow warns past Image.MAX_IMAGE_PIXELS and raises past twice that: both are refusals here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(_("This image is too large: at most %(mp)d megapixels.", mp=MAX_PIXELS // 1_000_000)) from None
    except UnidentifiedImageError:
        raise PhotoError(_("This file is not a JPEG or PNG photo.")) from None
    except (OSError, SyntaxError, ValueError):
        raise PhotoError(_("This photo is damaged and cannot be read. Send another one.")) from None
    if image.width * image.height > MAX_PIXELS:
        raise PhotoError(_("This image is too large: at most %(mp)d megapixels.", mp=MAX_PIXELS // 1_000_000))
    if image.width < 1 or image.height < 1:
        raise PhotoError(_("This photo is damaged and cannot be read. Send another one."))
    return image


def prepare(data: bytes) -> bytes:
    """The photo as it is stored: upright, cropped to 3:4, `SIZE` pixels, a JPEG with no metadata."""
    if not data:
        raise PhotoError(_("The photo file is empty."))
    if len(data) > MAX_BYTES:
        raise PhotoError(_("This photo is too large: at most %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    image = _open(data)  # type and size, from the header
    truncated_ok = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        # WeasyPrint sets LOAD_TRUNCATED_IMAGES for the whole process, under which load() pads a cut
        # file with grey; a photo must decode whole. (The images WeasyPrint draws are whole files.)
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        else:
            image = image.convert("RGB")
        image = ImageOps.fit(image, SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.35))
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise PhotoError(_("This photo is damaged and cannot be read. Send another one.")) from None
    out = io.BytesIO()
    # No exif=, icc_profile= or comment: the new file carries pixels only.
    image.save(out, "JPEG", quality=85, optimize=True, progressive=False)
    return out.getvalue()


def upload_bytes(upload) -> bytes | None:
    """The bytes of an uploaded file (a werkzeug FileStorage), at most one more than MAX_BYTES; None if none was sent."""
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        return None  # no file chosen
    return upload.read(MAX_BYTES + 1)


def store(data: bytes) -> str:
    """Prepare and keep a photo; its SHA-256, which the delegate row names."""
    sha, _size = storage.store(prepare(data))
    return sha


def data_url(sha256: str | None) -> str | None:
    """The stored photo as a data: URL for a badge (the PDF renderer fetches nothing else)."""
    if not sha256 or not storage.exists(sha256):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(storage.read(sha256)).decode()


def attach(delegate, data: bytes, by) -> str:
    """Put a photo on a delegate's badge (their focal points and organisers, until it is decided)."""
    ensure(can_edit_delegation, by, delegate.delegation)
    sha = store(data)
    if delegate.photo_sha256 != sha:
        delegate.photo_sha256 = sha
        audit("delegate.photo", user=by, event=delegate.delegation.event, target=f"delegate:{delegate.id}")
    return sha


def remove(delegate, by) -> None:
    """Take the photo off a delegate's badge (the stored file may serve another delegate: it stays)."""
    ensure(can_edit_delegation, by, delegate.delegation)
    if delegate.photo_sha256:
        delegate.photo_sha256 = None
        audit("delegate.photo_removed", user=by, event=delegate.delegation.event, target=f"delegate:{delegate.id}")

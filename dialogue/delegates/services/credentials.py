"""Letters of credentials: a delegation's focal point uploads one (PDF, PNG or JPEG, checked by content),
organisers record that it is received, in order or incomplete; only they and the focal points read it."""
from __future__ import annotations

import io
import re
import unicodedata
import warnings

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...jobs import storage
from ...models import audit, utcnow
from ...permissions import can_edit_delegation, can_organise, ensure
from ..models import CREDENTIALS_STATUSES, CredentialsLetter, Delegation
from .errors import DelegationError

#: Largest letter accepted (CREDENTIALS_MAX_BYTES in the config), below the app's MAX_CONTENT_LENGTH.
MAX_BYTES = 5 * 1024 * 1024
#: Largest image, in pixels: a page scanned at 600 dpi is about 35 million.
MAX_PIXELS = 40_000_000
#: What each accepted type starts with, and the file name endings that go with it.
TYPES = {"application/pdf": (b"%PDF-", (".pdf",)), "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
         "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg"))}


def max_bytes() -> int:
    return int(current_app.config.get("CREDENTIALS_MAX_BYTES") or MAX_BYTES)


def max_megabytes() -> str:
    """The size limit in megabytes, in the user's number format ("5", "0,2")."""
    return format_decimal(max_bytes() / (1024 * 1024), "#,##0.#")


def _sniff(body: bytes) -> str | None:
    return next((kind for kind, (magic, _ext) in TYPES.items() if body.startswith(magic)), None)


def check_file(filename: str, body: bytes) -> str:
    """The content type of an acceptable letter, from its bytes; a DelegationError saying what is wrong."""
    if not body:
        raise DelegationError(_("The file is empty."), "file")
    if len(body) > max_bytes():
        raise DelegationError(_("The file is larger than %(size)s MB: scan it at a lower resolution.",
                                size=max_megabytes()), "file")
    kind = _sniff(body)
    if kind is None:
        raise DelegationError(_("Upload the letter as a PDF, PNG or JPEG file."), "file")
    ending = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ending and ending not in TYPES[kind][1]:
        raise DelegationError(_("This file is a %(kind)s but its name ends in %(ending)s: export it again or give it "
                                "the right ending.", kind=kind.split("/")[-1].upper(), ending=ending), "file")
    if kind == "application/pdf":
        _check_pdf(body)
    else:
        _check_image(body)
    return kind


def _check_pdf(body: bytes) -> None:
    import pikepdf
    try:
        with pikepdf.open(io.BytesIO(body)) as pdf:
            if len(pdf.pages) < 1:
                raise DelegationError(_("This PDF has no page."), "file")
    except pikepdf.PasswordError:
        raise DelegationError(_("This PDF is protected by a password: upload it without one."), "file") from None
    except (pikepdf.PdfError, ValueError, RecursionError):
        raise DelegationError(_("This PDF is damaged and cannot be read: export it again."), "file") from None


def _check_image(body: bytes) -> None:
    from PIL import Image
    too_large = DelegationError(_("The image is too large (more than %(limit)s million pixels): scan it at a lower "
                                  "resolution.", limit=format_decimal(MAX_PIXELS // 1_000_000)), "file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(body)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise too_large
                image.draft("RGB", (max(width // 8, 1), max(height // 8, 1)))  # JPEG: decode small, still all of it
                image.load()
    except DelegationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError):
        raise DelegationError(_("This image is damaged and cannot be read: export it again."), "file") from None


def clean_filename(filename: str) -> str:
    """The file's own name as shown and offered back: no path, no control characters, bounded."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip()
    return name[-200:] or "credentials"


def letter(delegation: Delegation) -> CredentialsLetter | None:
    return db.session.scalar(select(CredentialsLetter).where(CredentialsLetter.delegation_id == delegation.id))


def upload_credentials(delegation: Delegation, filename: str, body: bytes, by) -> CredentialsLetter:
    """Keep a delegation's letter of credentials (a new one replaces the old, to be checked again)."""
    ensure(can_edit_delegation, by, delegation)
    kind = check_file(filename or "", body)
    sha, size = storage.store(body)
    row = letter(delegation)
    if row is None:
        row = CredentialsLetter(delegation_id=delegation.id)
        db.session.add(row)
    row.sha256, row.size, row.content_type, row.filename = sha, size, kind, clean_filename(filename)
    row.uploaded_at, row.uploaded_by_id = utcnow(), by.id
    row.status, row.reason, row.decided_at = "submitted", "", None
    db.session.flush()
    audit("credentials.upload", user=by, event=delegation.event, target=f"delegation:{delegation.id}",
          sha256=sha, size=size, content_type=kind)
    return row


def decide_credentials(delegation: Delegation, status: str, reason: str, by) -> CredentialsLetter:
    """Organisers record the state of a letter: received, in order, or incomplete (saying what is missing)."""
    ensure(can_organise, by, delegation.event)
    row = letter(delegation)
    if row is None:
        raise DelegationError(_("This delegation has not uploaded its letter of credentials."), "")
    if status not in CREDENTIALS_STATUSES or status == "submitted":
        raise DelegationError(_("Choose received, in order or incomplete."), "status")
    reason = (reason or "").strip()[:2000]
    if status == "incomplete" and not reason:
        raise DelegationError(_("Say what is missing from the letter."), "reason")
    row.status, row.reason, row.decided_at = status, reason, utcnow()
    audit("credentials.decide", user=by, event=delegation.event, target=f"delegation:{delegation.id}",
          status=status, reason=reason)
    return row


def credentials_file(delegation: Delegation, user) -> tuple[CredentialsLetter, bytes]:
    """The letter and its bytes, for the delegation's focal points and the event's organisers only."""
    ensure(can_edit_delegation, user, delegation, status=404)
    row = letter(delegation)
    if row is None or not storage.exists(row.sha256):
        raise DelegationError(_("This delegation has not uploaded its letter of credentials."), "")
    return row, storage.read(row.sha256)


def in_order_ids(event) -> set[int]:
    """Ids of the event's delegations whose letter of credentials is in order."""
    return set(db.session.scalars(select(CredentialsLetter.delegation_id).join(Delegation).where(
        Delegation.event_id == event.id, CredentialsLetter.status == "in_order")))


def credentials_states(event) -> dict[int, str]:
    """The state of each delegation's letter of credentials ({delegation id: status}); one query."""
    return dict(db.session.execute(select(CredentialsLetter.delegation_id, CredentialsLetter.status).join(Delegation)
                                   .where(Delegation.event_id == event.id)).all())

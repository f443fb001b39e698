"""Files of the registration desk made by workers: participants lists (PDF, CSV, XLSX) and badges.

Badges come as a ZIP with one PDF per delegation (large delegations in parts of
`BADGES_PER_PART`): badges are handed out per delegation, each file prints on its own, and each
keeps the tagged structure PDF/UA asks for (a merged PDF would have to merge structure trees).
Delegations are grouped into chunks of about `BADGES_PER_CHUNK` badges, each made by one task, so
that several workers share the work.
"""
from __future__ import annotations

import base64
import io
import re
import tempfile
import unicodedata
import zipfile

import segno
from celery import shared_task
from flask import current_app, url_for
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import func, select

from ..extensions import db
from ..jobs.kinds import JobKind, Output, zip_entry
from ..pdf import render_pdf
from ..spreadsheet_safety import safe_writer, xlsx_row
from . import services
from .badges import BadgeFetcher, badge
from .delegation_jobs import DELEGATION_KINDS
from .list_pdf import ListPDF
from .models import CredentialsLetter, Delegate, Delegation

#: Defaults of the BADGES_PER_CHUNK and BADGES_PER_PART settings.
BADGES_PER_CHUNK = 500
BADGES_PER_PART = 500
#: Without a BADGES_PER_CHUNK setting, a set is cut into at least this many chunks (of at least
#: BADGES_MIN_CHUNK badges) when it is too small for chunks of 500 to keep several workers busy.
BADGES_CHUNKS = 24
BADGES_MIN_CHUNK = 40


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name) or default)


def _roster_fingerprint(event) -> tuple[int, str]:
    """What participants lists and badges are made from: the event's delegates and delegations."""
    count, changed = db.session.execute(select(func.count(Delegate.id), func.max(Delegate.updated_at))
                                        .where(Delegate.event_id == event.id)).one()
    dcount, dchanged = db.session.execute(select(func.count(Delegation.id), func.max(Delegation.updated_at))
                                          .where(Delegation.event_id == event.id)).one()
    return 0, f"{count}:{changed}:{dcount}:{dchanged}:{event.updated_at}:{event.revision}"


class _Roster(JobKind):
    def fingerprint(self, event, params):
        revision, fingerprint = _roster_fingerprint(event)
        if _in_order(params):  # the organisers' checks of credentials change this list too
            letters = db.session.execute(select(func.count(CredentialsLetter.id), func.max(CredentialsLetter.decided_at),
                                                func.max(CredentialsLetter.uploaded_at)).join(Delegation)
                                         .where(Delegation.event_id == event.id)).one()
            fingerprint += ":credentials:" + ":".join(map(str, letters))
        return revision, fingerprint


def _in_order(params) -> bool:
    """Whether a list is of the delegations whose credentials are in order only."""
    return (params or {}).get("credentials") == "in_order"


def _labels():
    from .views import LABELS, display_name
    return LABELS, display_name


class ParticipantsPDF(ListPDF, _Roster):
    """The organisers' list, in parts of LIST_PER_CHUNK people made by several workers (`list_pdf`)."""

    name = "participants_pdf"
    template = "pdf/participants.html"
    columns = services.PARTICIPANT_COLUMNS
    file_stem = "participants"

    def label(self, job):
        return _("List of participants (PDF)")

    def progress_text(self, job):
        if not job.total:
            return _("Making the list of participants (PDF)…")
        return _("Making the list of participants: %(done)s of %(total)s", done=_n(job.done), total=_n(job.total))

    def heading(self, job):
        return _("List of participants")

    def conditions(self, job):
        return (services.credentials_in_order(),) if _in_order(job.params) else ()

    def context(self, job):
        labels, display_name = _labels()
        return {"display_name": display_name, **labels}


def participant_rows(job, progress):
    """The header and one row per accredited delegate, in the list's order, labels translated once.

    Streamed: the people are read a batch at a time (`services.listing.roster`, EXPORT_BATCH rows a
    query) and each batch is written before the next is read, so that memory holds one batch
    whatever the event's size; progress moves after each batch. Every batch reads one snapshot
    (`read_snapshot`): a delegate accredited or renamed meanwhile is in the next file, not half in this one."""
    from ..jobs.snapshot import read_snapshot
    from .labels import ATTENDANCE_LABELS, KIND_LABELS, gendered_label
    from .services.listing import roster
    yield [_("Kind"), _("Delegation"), _("Role in the delegation"), _("Salutation"), _("Given name"),
           _("Family name"), _("Function"), _("Email"), _("Attendance"), _("Name as written"), _("Name in own script")]
    labels: dict[tuple, str] = {}

    def label(field, code, gender):
        key = (field, code, gender)
        if key not in labels:
            labels[key] = gendered_label(field, code, gender)
        return labels[key]
    attendance = {k: str(v) for k, v in ATTENDANCE_LABELS.items()}
    kinds = {k: str(v) for k, v in KIND_LABELS.items()}
    only = (services.credentials_in_order(),) if _in_order(job.params) else ()
    event, lang = job.event, job.language
    with read_snapshot():
        listed = roster(event, lang, only=only)
        total, done = listed.total, 0
        progress(0, total)
        for batch in listed.batches:
            for delegation, people in batch:
                kind, name = kinds[delegation.kind], delegation.name
                for p in people:
                    yield [kind, name, label("role", p.role, p.gender), label("salutation", p.salutation, p.gender),
                           p.given_name, p.family_name, p.function, p.email,
                           attendance.get(p.attendance, p.attendance), services.person_name(p), p.native_name]
                done += len(people)
            progress(done, total)  # after each batch (EXPORT_BATCH rows at most)


class ParticipantsCSV(_Roster):
    name = "participants_csv"

    def label(self, job):
        return _("List of participants (CSV)")

    def progress_text(self, job):
        return _("Writing the list of participants: %(done)s of %(total)s", done=_n(job.done), total=_n(job.total))

    def make(self, job, progress):
        from .spreadsheets import csv_delimiter
        out = tempfile.TemporaryFile()
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = safe_writer(text, delimiter=csv_delimiter(job.language))
        writer.writerows(participant_rows(job, progress))
        text.flush()
        text.detach()
        return Output(f"{job.event.slug}-participants-{job.language}.csv", "text/csv", stream=out)


class ParticipantsXLSX(_Roster):
    name = "participants_xlsx"

    def label(self, job):
        return _("List of participants (Excel)")

    def progress_text(self, job):
        return _("Writing the list of participants: %(done)s of %(total)s", done=_n(job.done), total=_n(job.total))

    def make(self, job, progress):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Participants")[:31])
        bold = Font(bold=True)
        rows = participant_rows(job, progress)
        header = []
        for value in next(rows):
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(xlsx_row(sheet, row))  # text cells, never formulas
        out = tempfile.TemporaryFile()
        book.save(out)
        return Output(f"{job.event.slug}-participants-{job.language}.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", stream=out)


def _n(number: int) -> str:
    from flask_babel import format_decimal
    return format_decimal(number or 0)


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")[:60] or "delegation"


def badge_qr(url: str) -> str:
    """The badge's check code as an 8-bit grey PNG of 2 pixels a module, scaled to 22 mm by the CSS without smoothing.

    WeasyPrint parses an SVG QR code path by path (a third of a badge page), so a PNG. Grey ("L") is
    what WeasyPrint embeds as it is, where segno's 1-bit PNG was turned into RGB and encoded twice
    more, and segno wrote it pixel by pixel in Python: the PNG costs 0.2 ms, not 1 ms.
    `image-rendering: pixelated` (participants.css) puts /Interpolate false in the PDF. Not 1 pixel a
    module: Poppler (pdftoppm, Evince) smooths an image it enlarges less than 4 times whatever the PDF
    says, which at 150 dpi blurred the code past zbarimg; 2 pixels read at 72 to 300 dpi. A fixed mask
    skips segno's evaluation of all eight masks; any mask is valid for readers.
    Measured (bench/badge_qr_bench.py, bench/README.md "The badge's QR code", a busy shared machine):
    this function took 2.0-2.9 ms a badge (14-17 % of a chunk), now 1.1-1.5 ms (9-10 %), nearly all of it
    segno computing the code; WeasyPrint's part for the image fell from 7 % of the chunk to 3 %, and a
    chunk from 14.1-15.5 to 12.3-14.5 ms a badge.
    """
    matrix = segno.make(url, error="m", mask=0).matrix  # rows of 0 (light) and 1 (dark)
    size = len(matrix) + 2  # a quiet zone of one module
    light, grey = b"\xff" * size, bytes.maketrans(b"\0\1", b"\xff\0")
    pixels = light + b"".join(b"\xff" + bytes(row).translate(grey) + b"\xff" for row in matrix) + light
    png = io.BytesIO()
    image = Image.frombytes("L", (size, size), pixels).resize((2 * size, 2 * size), Image.NEAREST)
    image.save(png, format="PNG", compress_level=1)  # 1 KB either way; zlib's default level takes twice as long
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()


def badge_people(delegation: Delegation, lang: str, offset: int, count: int) -> list:
    """Accredited delegates of a delegation in the list's order (heads first, then by name), sliced."""
    from .models import DELEGATE_ROLES
    rank = {role: i for i, role in enumerate(DELEGATE_ROLES)}
    people = list(db.session.execute(select(*services.PARTICIPANT_COLUMNS).where(
        Delegate.delegation_id == delegation.id, Delegate.status == "accredited")))
    people.sort(key=lambda p: (rank.get(p.role, 9), services.name_key(p.family_name, lang),
                               services.name_key(p.given_name, lang), p.id))
    return people[offset:offset + count]


class Badges(_Roster):
    """Badges of every accredited delegate, in a ZIP of one PDF per delegation."""

    name = "badges"
    chunked = True

    def label(self, job):
        """"Badges", or "Badges (credentials in order only)": the two files side by side say what they hold."""
        return _("Badges (credentials in order only)") if _in_order(job.params) else _("Badges")

    def progress_text(self, job):
        if not job.total:
            return _("Preparing the badges…")
        return _("Rendering badges: %(done)s of %(total)s", done=_n(job.done), total=_n(job.total))

    def plan(self, job):
        """Parts (delegation, offset, count, name) in the list's order, packed into chunks."""
        counts = dict(db.session.execute(
            select(Delegate.delegation_id, func.count()).where(Delegate.event_id == job.event_id,
                                                               Delegate.status == "accredited")
            .group_by(Delegate.delegation_id)).all())
        if _in_order(job.params):  # only the delegations whose letter of credentials is in order
            in_order = services.in_order_ids(job.event)
            counts = {k: v for k, v in counts.items() if k in in_order}
        order = services.event_delegations(job.event, job.language)
        per_part = _setting("BADGES_PER_PART", BADGES_PER_PART)
        # Unless set, a small set comes in smaller chunks, so that every worker has a share until the end.
        per_chunk = int(current_app.config.get("BADGES_PER_CHUNK") or min(
            BADGES_PER_CHUNK, max(BADGES_MIN_CHUNK, -(-sum(counts.values()) // BADGES_CHUNKS))))
        parts = []
        for number, (delegation, name, _counts) in enumerate(d for d in order if d[0].id in counts):
            total = counts[delegation.id]
            pieces = range(0, total, per_part)
            for piece, offset in enumerate(pieces):
                suffix = f"-{piece + 1}" if len(pieces) > 1 else ""
                filename = f"{number + 1:04d}-{_slug(name)}{suffix}.pdf"
                parts.append({"delegation": delegation.id, "offset": offset,
                              "count": min(per_part, total - offset), "file": filename})
        chunks, current, size = [], [], 0
        for part in parts:
            if current and size + part["count"] > per_chunk:
                chunks.append(({"parts": current}, size))
                current, size = [], 0
            current.append(part)
            size += part["count"]
        if current:
            chunks.append(({"parts": current}, size))
        return chunks

    def describe_chunk(self, job, params):
        """"badges of Peru, Chile": the delegations of a chunk (the first three), for its failure message."""
        ids = list(dict.fromkeys(part["delegation"] for part in params.get("parts", ())))
        found = {d.id: d for d in db.session.scalars(select(Delegation).where(Delegation.id.in_(ids[:3])))}
        names = [services.delegation_name(found[i], job.language) for i in ids[:3] if i in found]
        if not names:
            return None
        return _("badges of %(names)s", names=", ".join(names) + (", …" if len(ids) > 3 else ""))

    def make_chunk(self, job, params):
        """A ZIP of this chunk's delegation PDFs."""
        labels, display_name = _labels()
        event, lang = job.event, job.language
        with current_app.test_request_context():
            check = services.notify._external(url_for("delegates_manage.verify_badge", slug=event.slug, code="CODE",
                                               lang=lang))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
            for part in params["parts"]:
                delegation = db.session.get(Delegation, part["delegation"])
                name = services.delegation_name(delegation, lang)
                people = badge_people(delegation, lang, part["offset"], part["count"])
                badges = [badge(p, name, badge_qr(check.replace("CODE", p.badge_code))) for p in people]
                pdf = render_pdf("pdf/badges.html", lang, BadgeFetcher(), event=event, badges=badges, preview=False,
                                 display_name=display_name, **labels)
                archive.writestr(zip_entry(part["file"]), pdf)
        return out.getvalue()

    def assemble(self, job, parts):
        out = tempfile.TemporaryFile()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
            for _params, body in parts:
                with zipfile.ZipFile(io.BytesIO(body)) as chunk:
                    for info in chunk.infolist():
                        archive.writestr(zip_entry(info.filename, info.date_time), chunk.read(info))
        only = "-credentials-in-order" if _in_order(job.params) else ""
        return Output(f"{job.event.slug}-badges{only}-{job.language}.zip", "application/zip", stream=out)


KINDS = [ParticipantsPDF(), ParticipantsCSV(), ParticipantsXLSX(), Badges(), *DELEGATION_KINDS]


@shared_task(name="dialogue.delegations_reminders")
def send_reminders() -> dict:
    """The scheduled mails of `dialogue reminders send`, which `dialogue beat` sends hourly
    (`jobs.engine.beat_schedule`, entry `delegations-reminders`)."""
    counts = {"reminded": services.send_deadline_reminders(), "reported": services.send_duplicate_notices()}
    db.session.commit()
    return counts

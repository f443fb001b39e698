"""Files a focal point makes of their own delegation, by workers: its list (PDF, CSV, XLSX) and a badge preview.

Each kind takes the delegation as a parameter (`{"delegation": id}`): only that delegation's focal
points and the event's organisers may start one (`start_for`) or see it and its file (`may_see`).
The preview prints every delegate who holds a place, with a frame where the QR code will be: a
preview is never a valid badge. It is made in parts by parallel tasks, like the organisers' badges.
"""
from __future__ import annotations

import io
import re
import tempfile
import unicodedata
import zipfile

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..jobs import services as jobs
from ..jobs.kinds import JobKind, Output, zip_entry
from ..pdf import render_pdf
from ..permissions import can_edit_delegation, ensure
from ..spreadsheet_safety import safe_writer, xlsx_row
from . import services
from .badges import BadgeFetcher, badge
from .models import Delegate, Delegation

#: Badges in each part of a large delegation's preview (the BADGES_PER_PART setting, as the organisers' badges).
PREVIEW_PER_PART = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _delegation(job) -> Delegation | None:
    delegation_id = (job.params or {}).get("delegation")
    delegation = db.session.get(Delegation, delegation_id) if isinstance(delegation_id, int) else None
    return delegation if delegation is not None and delegation.event_id == job.event_id else None


def _file_name(job, delegation: Delegation, what: str, ext: str) -> str:
    name = services.delegation_name(delegation, job.language)
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")[:60] or "delegation"
    return f"{job.event.slug}-{slug}-{what}-{job.language}.{ext}"


class _OwnDelegation(JobKind):
    """A file of one delegation, for its focal points and the organisers."""

    def fingerprint(self, event, params):
        delegation_id = params["delegation"]
        count, changed = db.session.execute(select(func.count(Delegate.id), func.max(Delegate.updated_at))
                                            .where(Delegate.delegation_id == delegation_id)).one()
        touched = db.session.scalar(select(Delegation.updated_at).where(Delegation.id == delegation_id))
        return 0, f"{delegation_id}:{count}:{changed}:{touched}:{event.updated_at}:{event.revision}"

    def may_start(self, user, event) -> bool:
        return False  # only through start_for(), which knows the delegation

    def may_see(self, user, job) -> bool:
        delegation = _delegation(job)
        return delegation is not None and can_edit_delegation(user, delegation)

    def people(self, job) -> tuple[Delegation, list[Delegate]]:
        delegation = _delegation(job)
        return delegation, services.delegation_delegates(delegation, job.language)


def list_rows(job, people) -> list[list[str]]:
    """The header and one row per delegate, in the delegation page's order, labels translated."""
    from .labels import ATTENDANCE_LABELS, STATUS_LABELS, gendered_label
    rows = [[_("Name as written"), _("Given name"), _("Family name"), _("Name in own script"), _("Salutation"),
             _("Role in the delegation"), _("Function"), _("Email"), _("Attendance"), _("Sessions"), _("Status")]]
    for p in people:
        rows.append([services.person_name(p), p.given_name, p.family_name, p.native_name,
                     gendered_label("salutation", p.salutation, p.gender), gendered_label("role", p.role, p.gender),
                     p.function, p.email, str(ATTENDANCE_LABELS.get(p.attendance, p.attendance)),
                     " ".join(sorted(r.session.code for r in p.registrations)),
                     str(STATUS_LABELS.get(p.status, p.status))])
    return rows


class DelegationListPDF(_OwnDelegation):
    name = "delegation_list_pdf"

    def label(self, job):
        return _("List of the delegation (PDF)")

    def progress_text(self, job):
        return _("Making the list of the delegation (PDF)…")

    def make(self, job, progress):
        from .views import LABELS
        delegation, people = self.people(job)
        progress(0, len(people))
        pdf = render_pdf("pdf/delegation_list.html", job.language, event=job.event, delegation=delegation,
                         name=services.delegation_name(delegation, job.language), people=people, **LABELS)
        return Output(_file_name(job, delegation, "list", "pdf"), "application/pdf", body=pdf)


class DelegationListCSV(_OwnDelegation):
    name = "delegation_list_csv"

    def label(self, job):
        return _("List of the delegation (CSV)")

    def progress_text(self, job):
        return _("Writing the list of the delegation…")

    def make(self, job, progress):
        from .spreadsheets import csv_delimiter
        delegation, people = self.people(job)
        out = tempfile.TemporaryFile()
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        safe_writer(text, delimiter=csv_delimiter(job.language)).writerows(list_rows(job, people))
        text.flush()
        text.detach()
        return Output(_file_name(job, delegation, "list", "csv"), "text/csv", stream=out)


class DelegationListXLSX(_OwnDelegation):
    name = "delegation_list_xlsx"

    def label(self, job):
        return _("List of the delegation (Excel)")

    def progress_text(self, job):
        return _("Writing the list of the delegation…")

    def make(self, job, progress):
        from openpyxl import Workbook
        from openpyxl.styles import Font
        delegation, people = self.people(job)
        book = Workbook()
        sheet = book.active
        sheet.title = _("Delegation")[:31]
        for row in list_rows(job, people):
            sheet.append(xlsx_row(sheet, row))  # text cells, never formulas
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        out = tempfile.TemporaryFile()
        book.save(out)
        return Output(_file_name(job, delegation, "list", "xlsx"), XLSX, stream=out)


class DelegationBadgesPreview(_OwnDelegation):
    """Every delegate holding a place, in parts of BADGES_PER_PART badges made by parallel tasks (the
    host's delegation of a COP holds 4,409): one PDF, or a ZIP of one PDF a part when there are several,
    as the organisers' badges (each part keeps its own tagged structure)."""

    name = "delegation_badges_preview"
    chunked = True

    def label(self, job):
        return _("Preview of the delegation's badges (PDF)")

    def progress_text(self, job):
        if not job.total:
            return _("Rendering the preview of the badges…")
        return _("Rendering the preview of the badges: %(done)s of %(total)s",
                 done=format_decimal(job.done), total=format_decimal(job.total))

    def holding(self, job) -> tuple[Delegation, list[Delegate]]:
        delegation, people = self.people(job)
        return delegation, [p for p in people if p.is_active]

    def plan(self, job):
        _delegation, holding = self.holding(job)
        per_part = int(current_app.config.get("BADGES_PER_PART") or PREVIEW_PER_PART)
        return [({"offset": offset, "count": min(per_part, len(holding) - offset)}, min(per_part, len(holding) - offset))
                for offset in range(0, max(len(holding), 1), per_part)]

    def make_chunk(self, job, params):
        from .views import LABELS, display_name
        delegation, holding = self.holding(job)
        name = services.delegation_name(delegation, job.language)
        people = holding[params["offset"]:params["offset"] + params["count"]]
        return render_pdf("pdf/badges.html", job.language, BadgeFetcher(), event=job.event, preview=True,
                          badges=[badge(p, name, None) for p in people], display_name=display_name, **LABELS)

    def assemble(self, job, parts):
        delegation = _delegation(job)
        if len(parts) == 1:
            return Output(_file_name(job, delegation, "badges-preview", "pdf"), "application/pdf", body=parts[0][1])
        out = tempfile.TemporaryFile()
        stem = _file_name(job, delegation, "badges-preview", "pdf")[:-4]
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
            for number, (_params, body) in enumerate(parts, start=1):
                archive.writestr(zip_entry(f"{stem}-{number:02d}.pdf"), body)
        return Output(f"{stem}.zip", "application/zip", stream=out)


DELEGATION_KINDS = [DelegationListPDF(), DelegationListCSV(), DelegationListXLSX(), DelegationBadgesPreview()]
#: What the buttons of a delegation page ask for.
DOWNLOADS = {kind.name: kind for kind in DELEGATION_KINDS}


def start_for(delegation: Delegation, kind_name: str, lang: str, by):
    """The job making this file of `delegation` (an existing one if the data has not changed)."""
    ensure(can_edit_delegation, by, delegation)
    return jobs.start(kind_name, delegation.event, lang, by, {"delegation": delegation.id}, check=False)

"""The provisional list of participants the public reads once the organisers publish it.

It carries only what UN secretariats publish (COP28's list did): category, delegation, the name as
lists print it, and function. Never an email, a phone, a gender, a passport or a date of birth:
`PUBLIC_COLUMNS` is all it ever reads, so nothing else can leak into its page, PDF or spreadsheet.
"""
from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..jobs.kinds import JobKind, Output
from ..models import audit, utcnow
from ..permissions import can_organise, can_see_participant_list, ensure
from ..spreadsheet_safety import xlsx_row
from .list_pdf import ListPDF
from .models import DELEGATION_KINDS, Delegate, Delegation
from .services.errors import DelegationError
from .services.listing import person_key, roster
from .services.names import collation_key, delegation_name

#: The columns of a delegate the published list reads: what it prints, and what orders it.
PUBLIC_COLUMNS = (Delegate.id, Delegate.delegation_id, Delegate.salutation, Delegate.given_name, Delegate.family_name,
                  Delegate.function, Delegate.role, Delegate.gender)


def display_name(person) -> str:
    """The name as every list of the registration desk prints it (salutation, family name in capitals)."""
    from .views import display_name as desk_name
    return desk_name(person)


# --- publishing ---------------------------------------------------------------------------------

def publish(event, by) -> None:
    """Make the list public (the event page links to it from now on)."""
    ensure(can_organise, by, event)
    if event.participants_published_at is not None:
        raise DelegationError(_("The list of participants is already public."))
    event.participants_published_at = utcnow()
    audit("participants.publish", user=by, event=event, target=f"event:{event.id}")


def unpublish(event, by) -> None:
    """Take the list down: its page and files answer 404 to the public again."""
    ensure(can_organise, by, event)
    if event.participants_published_at is None:
        raise DelegationError(_("The list of participants is not public."))
    event.participants_published_at = None
    audit("participants.unpublish", user=by, event=event, target=f"event:{event.id}")


# --- what the files print -----------------------------------------------------------------------

@dataclass
class Category:
    """The delegations of one kind (member states, observers...), each with its people in order."""

    kind: str
    delegations: list[tuple[str, list]] = field(default_factory=list)


def categories(event, lang: str) -> list[Category]:
    """Accredited delegates by category and delegation, delegations in the alphabet of `lang`, heads
    of delegation first, then by name: two queries, public columns only (for the page and the PDF,
    which show them all at once; the spreadsheet streams them, `rows`)."""
    delegations = dict(db.session.execute(select(Delegation.id, Delegation).where(Delegation.event_id == event.id)).all())
    members: dict[int, list] = defaultdict(list)
    for row in db.session.execute(select(*PUBLIC_COLUMNS).where(Delegate.event_id == event.id,
                                                                Delegate.status == "accredited")):
        members[row.delegation_id].append(row)
    found: dict[str, Category] = {}
    for delegation_id, people in members.items():
        delegation = delegations[delegation_id]
        people.sort(key=person_key(lang))
        found.setdefault(delegation.kind, Category(delegation.kind)).delegations.append(
            (delegation_name(delegation, lang), people))
    for category in found.values():
        category.delegations.sort(key=lambda item: collation_key(item[0], lang))
    return [found[k] for k in DELEGATION_KINDS if k in found]


def rows(event, lang: str, progress=None):
    """The spreadsheet: a header, then one row per person with the four published fields, in the
    order of `categories`, read a batch at a time (`services.listing.roster`, public columns only),
    every batch from one snapshot (`read_snapshot`)."""
    from ..jobs.snapshot import read_snapshot
    from .labels import KIND_LABELS
    yield [_("Category"), _("Delegation"), _("Name"), _("Function")]
    kinds = {k: str(v) for k, v in KIND_LABELS.items()}
    with read_snapshot():
        listed = roster(event, lang, columns=PUBLIC_COLUMNS)
        total, done = listed.total, 0
        if progress is not None:
            progress(0, total)
        for batch in listed.batches:
            for delegation, people in batch:
                kind, name = kinds[delegation.kind], delegation.name
                for p in people:
                    yield [kind, name, display_name(p), p.function]
                done += len(people)
            if progress is not None:
                progress(done, total)


# --- the files, made by workers -----------------------------------------------------------------

class _PublicList(JobKind):
    """Anyone who may read the published list may ask for its files and download them."""

    public = True

    def fingerprint(self, event, params):
        from .jobs import _roster_fingerprint
        return _roster_fingerprint(event)

    def may_start(self, user, event):
        return event is not None and can_see_participant_list(user, event)

    def may_see(self, user, job):
        return self.may_start(user, job.event)


class PublicListPDF(ListPDF, _PublicList):
    """The public list, in parts made by several workers (`list_pdf`), of `PUBLIC_COLUMNS` only."""

    name = "public_participants_pdf"
    template = "pdf/public_list.html"
    columns = PUBLIC_COLUMNS
    file_stem = "provisional-participants"

    def label(self, job):
        return _("Provisional list of participants (PDF)")

    def progress_text(self, job):
        if not job.total:
            return _("Making the provisional list of participants (PDF)…")
        return _("Making the provisional list of participants: %(done)s of %(total)s",
                 done=format_decimal(job.done or 0), total=format_decimal(job.total))

    def heading(self, job):
        return _("Provisional list of participants")

    def context(self, job):
        from .labels import KIND_PLURALS
        from .views import text_dir
        return {"display_name": display_name, "text_dir": text_dir, "KIND_PLURALS": KIND_PLURALS}


class PublicListXLSX(_PublicList):
    name = "public_participants_xlsx"

    def label(self, job):
        return _("Provisional list of participants (Excel)")

    def progress_text(self, job):
        return _("Making the provisional list of participants (Excel)…")

    def make(self, job, progress):
        from openpyxl import Workbook
        from openpyxl.styles import Font
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Participants")[:31])
        sheet.freeze_panes = "A2"
        lines = rows(job.event, job.language, progress)
        header = xlsx_row(sheet, next(lines))
        for cell in header:
            cell.font = Font(bold=True)
        sheet.append(header)
        for row in lines:
            sheet.append(xlsx_row(sheet, row))  # text cells, never formulas
        out = tempfile.TemporaryFile()
        book.save(out)
        return Output(f"{job.event.slug}-provisional-participants-{job.language}.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", stream=out)


KINDS = [PublicListPDF(), PublicListXLSX()]

"""The export of delegates' personal details as a file workers make, like the other exports.

Only the fields the person exporting ticks go in (never in any other file). An organiser exports the
whole event, a focal point their own delegation (`{"delegation": id}` in the job's parameters); the
stored file is seen and downloaded only by the event's organisers and, for a delegation's export,
that delegation's focal points. Starting one is audited; erasing an event's details also deletes
these files (see `erase_files`).
"""
from __future__ import annotations

import io
import tempfile

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from ..actions import DomainError
from ..extensions import db
from ..jobs import services as jobs
from ..jobs import storage
from ..jobs.kinds import JobKind, Output
from ..jobs.models import Job
from ..jobs.snapshot import read_snapshot
from ..models import audit
from ..permissions import can_organise, can_see_personal_details, ensure
from ..spreadsheet_safety import safe_writer
from .models import ACTIVE_STATUSES, Delegate, Delegation
from .personal_models import DETAIL_FIELDS, DelegateDetails

NAME = "personal_details_csv"


def start_export(event, fields, lang: str, by, delegation: Delegation | None = None) -> Job:
    """The job exporting the ticked personal fields of the event (organisers) or of one delegation
    (its focal points and the organisers); audited. At least one field must be ticked."""
    chosen = [f for f in DETAIL_FIELDS if f in set(fields or [])]
    if delegation is None:
        ensure(can_organise, by, event)
    else:
        ensure(can_see_personal_details, by, delegation, status=404)
    if not chosen:
        raise DomainError(_("Tick at least one field to export."), "fields")
    params = {"fields": chosen} | ({"delegation": delegation.id} if delegation is not None else {})
    job = jobs.start(NAME, event, lang, by, params, check=False)
    audit("personal_data.export", user=by, event=event, fields=chosen, job=job.id,
          delegation=delegation.id if delegation is not None else None)
    return job


def _scope(event_id: int, params: dict):
    """The condition on delegates of an export: the event's, or one delegation's, holding a place."""
    where = [Delegate.event_id == event_id, Delegate.status.in_(ACTIVE_STATUSES)]
    if params.get("delegation") is not None:
        where.append(Delegate.delegation_id == params["delegation"])
    return where


class PersonalDetailsCSV(JobKind):
    """The ticked personal fields of the delegates who gave them, as CSV."""

    name = NAME
    personal = True

    def label(self, job):
        return _("Personal details (CSV)")

    def progress_text(self, job):
        return _("Writing the personal details…")

    def fingerprint(self, event, params):
        count, changed, people = db.session.execute(
            select(func.count(DelegateDetails.id), func.max(DelegateDetails.updated_at), func.max(Delegate.updated_at))
            .join(Delegate, Delegate.id == DelegateDetails.delegate_id).where(*_scope(event.id, params))).one()
        return 0, f"{count}:{changed}:{people}"

    def may_start(self, user, event) -> bool:
        return False  # only through start_export(), which checks the scope

    def may_see(self, user, job) -> bool:
        delegation_id = (job.params or {}).get("delegation")
        if delegation_id is None:
            return can_organise(user, job.event)
        delegation = db.session.get(Delegation, delegation_id) if isinstance(delegation_id, int) else None
        return delegation is not None and delegation.event_id == job.event_id and can_see_personal_details(user, delegation)

    def make(self, job, progress):
        from .details_views import DETAIL_LABELS
        from .spreadsheets import csv_delimiter
        chosen = [f for f in DETAIL_FIELDS if f in set((job.params or {}).get("fields") or [])]
        out = tempfile.TemporaryFile()
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = safe_writer(text, delimiter=csv_delimiter(job.language))
        writer.writerow([_("Given name"), _("Family name"), _("Email")] + [str(DETAIL_LABELS[f]) for f in chosen])
        yes, no = _("Yes"), _("No")
        event_id, params = job.event_id, job.params or {}
        with read_snapshot():  # the count and every page: one state of the database
            total, pages = _details(event_id, params, chosen)
            done = 0
            progress(0, total)
            for page in pages:
                for row in page:
                    values = row[3:]
                    writer.writerow([row.given_name, row.family_name, row.email] + [
                        "" if v is None else (yes if v else no) if isinstance(v, bool) else v for v in values])
                done += len(page)
                progress(done, total)
        text.flush()
        text.detach()
        return Output(f"{job.event.slug}-personal-details-{job.language}.csv", "text/csv", stream=out)


def _details(event_id: int, params: dict, chosen: list[str]):
    """(how many, pages): the delegates of the export's scope who gave details, by name (`sort_name`)
    then id, as plain rows (given name, family name, email, then the chosen fields) in pages of
    EXPORT_BATCH: one sorted query whose rows are fetched a page at a time (a server-side cursor on
    PostgreSQL, SQLite's stepping cursor), so that memory holds one page whatever the event's size
    and the database sorts once (keyset pages would sort the whole scope again for each page)."""
    from flask import current_app

    from .services.listing import EXPORT_BATCH
    size = max(1, int(current_app.config.get("EXPORT_BATCH") or EXPORT_BATCH))
    where = [*_scope(event_id, params)]
    joined = select(Delegate.id).join(DelegateDetails, DelegateDetails.delegate_id == Delegate.id)
    total = db.session.scalar(select(func.count()).select_from(joined.where(*where).subquery()))
    query = (select(Delegate.given_name, Delegate.family_name, Delegate.email,
                    *[getattr(DelegateDetails, f) for f in chosen])
             .join(DelegateDetails, DelegateDetails.delegate_id == Delegate.id).where(*where)
             .order_by(Delegate.sort_name, Delegate.id).execution_options(yield_per=size))

    def pages():
        result = db.session.execute(query)
        try:
            yield from result.partitions()
        finally:
            result.close()
    return total, pages()


def erase_files(event_id: int) -> int:
    """Delete the event's exports of personal details, files and jobs, when its details are erased."""
    made = db.session.execute(select(Job.id, Job.sha256).where(Job.event_id == event_id, Job.kind == NAME)).all()
    for _id, sha256 in made:
        if storage.exists(sha256):
            storage.path_of(sha256).unlink(missing_ok=True)
    db.session.execute(delete(Job).where(Job.event_id == event_id, Job.kind == NAME))
    return len(made)


KINDS = [PersonalDetailsCSV()]

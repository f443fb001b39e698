"""Organisers' pages to copy the agenda (a session, a day, the whole event) and to import and export sessions."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from .. import uploads
from ..actions import perform
from ..forms import NFCForm, YearRange, translated_field
from ..i18n import common_timezones, pick
from ..jobs import services as jobs
from ..validation import id_arg
from . import copying, directory, import_job, importing, services, spreadsheets
from .forms import SessionForm
from .views import EXTRA_PEOPLE_ROWS, _organised_event, _session_form, _session_obj

bp = Blueprint("copying", __name__, url_prefix="/<lang>/manage/events/<slug>")

#: Largest file the import reads (kept on the server between the preview and the confirmation).
MAX_FILE = 2 * 1024 * 1024
#: Files with more rows than this are checked (preview) and imported by a worker, behind a progress page
#: (2,000 rows take about 2 s of CPU each: bench/session_import_bench.py); config SESSION_IMPORT_JOB_ROWS.
JOB_ROWS = 200


class CopyDayForm(NFCForm):
    from_day = SelectField(_l("Day to copy"), choices=[], validate_choice=False)
    to_day = DateField(_l("Copy to"), validators=[DataRequired(), YearRange()])
    submit = SubmitField(_l("Copy the day"))


class CopyEventForm(NFCForm):
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(), Length(max=80)])
    title = translated_field(_l("Title"), description=_l("Leave empty to keep the titles of the earlier event."))
    starts_on = DateField(_l("First day"), validators=[DataRequired(), YearRange()])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"list": "timezones", "autocomplete": "off"})
    submit = SubmitField(_l("Create the new event"))


class UploadForm(NFCForm):
    file = FileField(_l("CSV or Excel file"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file."))])
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(NFCForm):
    token = HiddenField(validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Import the sessions"))


def _status() -> int:
    return 422 if request.method == "POST" else 200


# --- a session --------------------------------------------------------------------------------

@bp.route("/sessions/<code>/duplicate", methods=["GET", "POST"])
def duplicate(slug: str, code: str):
    """The session form prefilled with a copy of a session, under a free code; saved only on "Save"."""
    ev = _organised_event(slug)
    s = services.session_by_code(ev, code) or abort(404)
    if request.method == "POST":
        return _session_form(ev, SessionForm(), None)
    form = SessionForm(obj=_session_obj(ev, s))
    form.code.data = copying.suggested_code(s)
    for _i in range(EXTRA_PEOPLE_ROWS):
        form.people.append_entry()
    return _session_form(ev, form, None)


# --- a day ------------------------------------------------------------------------------------

@bp.route("/copy-day", methods=["GET", "POST"])
def copy_day(slug: str):
    """Copy every session of a day to another day of the event, reporting the clashes."""
    ev = _organised_event(slug)
    days = sorted({copying.local_day(s, ev.timezone) for s in services.agenda(ev)})
    form = CopyDayForm()
    form.from_day.choices = [(d.isoformat(), format_date(d, "full")) for d in days]
    if form.validate_on_submit():
        wanted = next((d for d in days if d.isoformat() == form.from_day.data), None)
        if wanted is None:
            form.extra_errors = {"from_day": _("Choose a day from the list.")}
        else:
            ok, done = perform(lambda: copying.copy_day(ev, wanted, form.to_day.data, current_user), form=form)
            if ok:
                flash(ngettext("%(num)d session is copied.", "%(num)d sessions are copied.", len(done.codes)), "success")
                for message in done.conflicts[:10]:
                    flash(message, "warning")
                if len(done.conflicts) > 10:
                    flash(ngettext("%(num)d conflict in all.", "%(num)d conflicts in all.", len(done.conflicts)),
                          "warning")
                return redirect(url_for("manage.agenda", slug=ev.slug))
    return render_template("manage/copy_day.html", event=ev, form=form), _status()


# --- an event ---------------------------------------------------------------------------------

@bp.route("/copy", methods=["GET", "POST"])
def copy_event(slug: str):
    """A new draft event from this one: rooms, people, sessions and concept notes on new dates."""
    ev = _organised_event(slug)
    form = CopyEventForm()
    if request.method == "GET":
        form.slug.data = copying.suggested_slug(ev)
        form.timezone.data = ev.timezone
    if form.validate_on_submit():
        ok, made = perform(lambda: copying.copy_event(ev, form.data, current_user), form=form)
        if ok:
            flash(_("The new event is created as a draft."), "success")
            return redirect(url_for("manage.agenda", slug=made.slug))
    return render_template("manage/copy_event.html", event=ev, form=form, timezones=common_timezones()), _status()


# --- import and export ------------------------------------------------------------------------

def _room_names(ev) -> list[str]:
    return [pick(r.name, g.lang, ev.original_language).text for r in directory.rooms_of(ev)]


@bp.get("/sessions.<any(csv, xlsx):fmt>")
def export(slug: str, fmt: str):
    """The event's sessions as a spreadsheet the import reads back (small: made in the request)."""
    ev = _organised_event(slug)
    body, mimetype = spreadsheets.export(fmt, g.lang, ev, services.agenda(ev), _room_names(ev))
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{ev.slug}-sessions-{g.lang}.{fmt}"', "Cache-Control": "no-store"})


@bp.get("/sessions-template.<any(csv, xlsx):fmt>")
def template(slug: str, fmt: str):
    """An empty file to fill in, headers in the page's language, with drop-down lists in Excel."""
    ev = _organised_event(slug)
    body, mimetype = spreadsheets.template(fmt, g.lang, ev, _room_names(ev))
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="sessions-{g.lang}.{fmt}"'})


@bp.route("/import", methods=["GET", "POST"])
def import_sessions(slug: str):
    """Upload a file: its errors by row and column, or a preview (new sessions, updates, new rooms and
    people, conflicts) to confirm; the file waits on the server (uploads.py) for the confirmation,
    which imports every row in one transaction, in the request or, for a large file, in a job."""
    ev = _organised_event(slug)
    upload, confirm = UploadForm(), ConfirmForm()
    errors, report, problem = [], None, None
    if "token" in request.form:
        kept = uploads.take(confirm.token.data, current_user.id, ev.id) if confirm.validate_on_submit() else None
        if kept is None:
            problem = _("This preview has expired or was imported already: upload the file again.")
        elif kept.get("rows", 0) > _job_rows():
            ok, job = perform(lambda: jobs.start(import_job.KIND, ev, g.lang, current_user,
                                                 {"token": confirm.token.data}))
            if ok:
                return redirect(url_for("jobs.show", job_id=job.id))
        else:
            ok, result = perform(lambda: importing.import_sessions(
                ev, spreadsheets.read_rows(kept["filename"], kept["content"]), current_user))
            uploads.discard(confirm.token.data)
            if ok:
                _flash_report(result)
                return redirect(url_for("manage.agenda", slug=ev.slug))
            errors = getattr(result, "errors", [])
    elif request.method == "GET" and request.args.get("preview"):
        job = _preview_job(ev, request.args.get("preview", type=id_arg))
        if job.status != "done":
            return redirect(url_for("jobs.show", job_id=job.id))
        report, errors = import_job.preview_of(job)
        if report is not None:
            confirm = ConfirmForm(formdata=None, token=job.params.get("token", ""))
    elif upload.validate_on_submit():
        content = upload.file.data.read(MAX_FILE + 1)
        filename = upload.file.data.filename or ""
        if len(content) > MAX_FILE:
            problem = _("The file is too large.")
        else:
            try:
                rows = spreadsheets.read_rows(filename, content)
                if len(rows) > _job_rows():  # checked by a worker; its page leads back here (?preview=)
                    token = uploads.keep(content, filename, current_user.id, ev.id, rows=len(rows))
                    ok, job = perform(lambda: jobs.start(import_job.PREVIEW, ev, g.lang, current_user, {"token": token}))
                    if ok:
                        return redirect(url_for("jobs.show", job_id=job.id))
                else:
                    report = importing.preview_import(ev, rows, current_user)
            except importing.ImportFailed as failed:
                errors = failed.errors
            except spreadsheets.SessionImportError as error:
                problem = error.message
            if report is not None:
                token = uploads.keep(content, filename, current_user.id, ev.id, rows=len(rows))
                confirm = ConfirmForm(formdata=None, token=token)
    if problem:
        flash(problem, "error")
    status = 422 if (errors or problem or (request.method == "POST" and report is None)) else 200
    if request.method == "GET":
        status = 200
    return render_template("manage/session_import.html", event=ev, upload=upload, confirm=confirm, errors=errors,
                           report=report, columns=spreadsheets.FIELDS, FIELD_LABELS=spreadsheets.FIELD_LABELS), status


def _job_rows() -> int:
    return current_app.config.get("SESSION_IMPORT_JOB_ROWS", JOB_ROWS)


def _preview_job(ev, job_id: int | None):
    """The finished (or coming) preview of a file this organiser uploaded for this event, else 404."""
    job = jobs.get_visible(job_id, current_user) if job_id else None
    if job is None or job.kind != import_job.PREVIEW or job.event_id != ev.id or job.created_by_id != current_user.id:
        abort(404)
    return job


def _flash_report(result: importing.ImportReport) -> None:
    if result.sessions or not result.updates:
        flash(ngettext("%(num)d session is imported.", "%(num)d sessions are imported.", len(result.sessions)), "success")
    if result.updates:
        flash(ngettext("%(num)d session is updated.", "%(num)d sessions are updated.", len(result.updates)), "success")
    for message in result.conflicts[:10]:
        flash(message, "warning")
    if result.conflict_count > 10:
        flash(ngettext("%(num)d conflict in all.", "%(num)d conflicts in all.", result.conflict_count), "warning")

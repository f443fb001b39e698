"""Pages of background jobs: progress (HTML and JSON for the bar), the file, a retry, the event's list."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import perform
from ..cache import file_response
from ..permissions import can_organise, ensure
from ..sessions import services as agenda
from . import kinds, services, storage

bp = Blueprint("jobs", __name__, url_prefix="/<lang>/jobs")
manage_bp = Blueprint("jobs_manage", __name__, url_prefix="/<lang>/manage/events/<slug>")


def register(app: Flask) -> None:
    """Plug the job pages into the app."""
    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    app.jinja_env.globals["job_download_text"] = download_text


def _job(job_id: int):
    return services.get_visible(job_id, current_user) or abort(404)


def file_url(job) -> str:
    return url_for("jobs.download", job_id=job.id, lang=g.lang)


def download_text(job, status: dict) -> str:
    """The words of a finished job's button, the same in the page and from its script: the kind's link
    ("See the published list"), else "Download (badges.zip)"."""
    if status.get("link_text"):
        return status["link_text"]
    return _("Download (%(filename)s)", filename=job.filename) if job.filename else _("Download")


@bp.get("/<id:job_id>")
def show(job_id: int):
    """A job's progress; the page refreshes itself by script (or by hand without one)."""
    job = _job(job_id)
    response = render_template("jobs/job.html", job=job, status=services.status(job))
    return response, 200, {"Cache-Control": "no-store"}


@bp.get("/<id:job_id>.json")
def progress(job_id: int):
    """The bar's state for the page's script, in the page's language."""
    job = _job(job_id)
    data = services.status(job)
    if job.status == "done":
        data["download"] = data["link_url"] or file_url(job)
        data["download_text"] = download_text(job, data)
    if job.status == "failed":
        data["retry"] = url_for("jobs.retry", job_id=job.id)
    return data, 200, {"Cache-Control": "no-store"}


@bp.get("/<id:job_id>/file")
def download(job_id: int):
    """The finished file, with ETag, Last-Modified, 304 and ranges from Werkzeug."""
    job = _job(job_id)
    if job.status != "done" or not storage.exists(job.sha256):
        return redirect(url_for("jobs.show", job_id=job.id))
    response = send_stored(job, public=False)
    if kinds.kind_of(job).personal:
        response.headers["Cache-Control"] = "no-store"
    return response


def send_stored(job, *, public: bool, max_age: int = 0, inline: bool = True):
    """A stored file as a conditional response (the same path static files take)."""
    return send_stored_file(job.sha256, job.mimetype, job.filename, job.finished_at, public=public,
                            max_age=max_age, inline=inline) or abort(404)


def send_stored_file(sha256: str, mimetype: str, filename: str, finished_at, *, public: bool, max_age: int = 0,
                     inline: bool = True):
    """The file stored as `sha256`, served as static files are (ETag, Last-Modified, 304, ranges,
    sendfile under gunicorn: cache.file_response); None when the file is not in the storage."""
    return file_response(storage.path_of(sha256), sha256[:32], mimetype, last_modified=finished_at, max_age=max_age,
                         filename=filename, public=public, disposition="inline" if inline else "attachment")


@bp.post("/<id:job_id>/retry")
def retry(job_id: int):
    """Start a failed job again."""
    job = _job(job_id)
    perform(lambda: services.retry(job, current_user))
    return redirect(url_for("jobs.show", job_id=job.id))


@manage_bp.get("/jobs/")
def event_jobs(slug: str):
    """Every organiser sees the files the others asked for."""
    ev = agenda.event_by_slug(slug) or abort(404)
    ensure(can_organise, current_user, ev)
    jobs = services.event_jobs(ev)
    return render_template("jobs/list.html", event=ev, jobs=jobs, status_of=services.status,
                           replaced_soon=services.newer_coming(jobs))


def start_and_redirect(kind: str, event, params: dict | None = None):
    """For the old addresses (badges.pdf, participants.pdf): the file if ready, else its progress page."""
    job = _start(kind, event, params)
    if _ready(job):
        return send_stored(job, public=False)
    return redirect(url_for("jobs.show", job_id=job.id))


def start_and_see_other(kind: str, event, params: dict | None = None):
    """For a form's button (POST/redirect/GET): 303 to the file's address if ready, else to its progress page,
    so that a reload asks for a page again rather than offering to send the form twice."""
    job = _start(kind, event, params)
    return redirect(file_url(job) if _ready(job) else url_for("jobs.show", job_id=job.id), 303)


def _start(kind: str, event, params: dict | None):
    """The job of that file (an existing one if the data has not changed), or 400 when it may not be asked for."""
    ok, job = perform(lambda: services.start(kind, event, g.lang, current_user, params))
    if not ok:
        abort(400)
    return job


def _ready(job) -> bool:
    """Whether the job's file can be served now (done, and still in the storage)."""
    return job.status == "done" and storage.exists(job.sha256)


"""The `dialogue` command: Flask's commands (run, shell, db) plus ours."""
from __future__ import annotations

import logging
import os
import subprocess
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from .config import ROOT
from .extensions import db

#: Set in the environment of the web server `dialogue serve` starts (as gunicorn sets SERVER_SOFTWARE):
#: a long-running server, which builds the delegations' orders at its start (delegates/orders.py).
SERVE_MARK = "DIALOGUE_SERVE"


def _create_app():
    from . import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main():
    """dialogue: run the app (`dialogue run`), load demo data, manage users and translations."""


def upgrade_schema() -> None:
    """Bring the database to the newest migration (creates it when empty)."""
    from flask_migrate import upgrade
    upgrade(directory=str(ROOT / "migrations"))


def register_commands(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(demo)
    app.cli.add_command(create_user)
    app.cli.add_command(translations)
    app.cli.add_command(worker)
    app.cli.add_command(beat)
    app.cli.add_command(serve)
    from .mailer import outbox_cli
    app.cli.add_command(outbox_cli)
    from .delegates.erasure import personal_data_cli
    app.cli.add_command(personal_data_cli)


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", "-c", type=int, default=None, help="Processes (default: one per core).")
@click.option("--pool", default=None, help="Celery pool: prefork (default), threads, solo.")
@click.option("--loglevel", default="info")
@click.option("--nice", type=click.IntRange(0, 19), default=None, envvar="DIALOGUE_WORKER_NICE",
              help="Lower the workers' CPU priority by this much, so that the web server on the same "
                   "machine answers first (default 10; 0 keeps it).")
@click.option("--queues", "which", type=click.Choice(["all", "jobs", "mail"]), default="all",
              envvar="DIALOGUE_WORKER_QUEUES", show_default=True,
              help="What this worker takes: mail (delivery, notices), jobs (files and the rest), or both.")
@click.option("--beat", is_flag=True, help="Also run Celery beat inside this worker (the scheduled erasure and "
              "reminders): for one machine, as `dialogue serve` does; elsewhere run one `dialogue beat`.")
@with_appcontext
def worker(concurrency, pool, loglevel, nice, which, beat):
    """Start a Celery worker that makes files and delivers mail (Redis when REDIS_URL is set)."""
    from flask import current_app

    from .jobs.engine import DEFAULT_NICE, celery_for, lower_priority, queues_named, worker_argv
    lower_priority(DEFAULT_NICE if nice is None else nice)
    celery = celery_for(current_app)
    argv = worker_argv(concurrency, pool, loglevel, queues_named(current_app, which), name=f"{which}@%h")
    if beat:
        argv += ["--beat", f"--schedule={celery.conf.beat_schedule_filename}"]
    celery.worker_main(argv)


@click.command("beat")
@click.option("--loglevel", default="info")
@click.option("--max-interval", type=float, default=None,
              help="Seconds at most between two looks at the schedule (Celery's default: 300).")
@with_appcontext
def beat(loglevel, max_interval):
    """Start Celery beat: it sends the scheduled tasks (daily erasure of personal details, hourly reminders)
    to the workers. Run exactly one per deployment."""
    from flask import current_app

    from .jobs.engine import celery_for
    celery = celery_for(current_app)
    click.echo(f"beat: {', '.join(sorted(celery.conf.beat_schedule))}; schedule file "
               f"{celery.conf.beat_schedule_filename}")
    celery.Beat(loglevel=loglevel, max_interval=max_interval, schedule=celery.conf.beat_schedule_filename).run()


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--concurrency", default=2, type=int, help="Worker processes started beside the server.")
def serve(host, port, concurrency):
    """The web server with a job worker beside it: what `make run` starts on one machine."""
    import signal

    # Stopped with SIGTERM (or Ctrl-C), stop the worker too.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    # One machine, one worker: it runs the schedule (erasure, reminders) too, as `dialogue beat` would.
    worker_process = subprocess.Popen([sys.executable, "-m", "dialogue.cli", "worker", "--concurrency",  # noqa: S603
                                       str(concurrency), "--loglevel", "warning", "--beat"])
    try:
        subprocess.run([sys.executable, "-m", "dialogue.cli", "run", "--host", host, "--port", str(port)],  # noqa: S603
                       check=False, env={**os.environ, SERVE_MARK: "1"})
    finally:
        worker_process.terminate()
        worker_process.wait(timeout=30)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema."""
    upgrade_schema()
    click.echo("Database is up to date.")


@click.command("demo")
@with_appcontext
def demo():
    """Create the schema if needed and load the demo summit with its accounts."""
    from flask import current_app

    from .demo import ACCOUNTS, DEMO_PASSWORD, load_demo
    upgrade_schema()
    event, created = load_demo()
    db.session.commit()
    click.echo(("Loaded" if created else "Already loaded") + f" demo event: {event.slug}")
    public_url = current_app.config["SERVER_NAME_FOR_MAIL"].rstrip("/")  # PUBLIC_URL, else 127.0.0.1:5000
    click.echo(f"Open {public_url}/ · demo accounts (password: {DEMO_PASSWORD}):")
    for email, name, role in ACCOUNTS:
        click.echo(f"  {role:<12} {email}  ({name})")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", type=click.Choice(["organiser", "focal_point", "rapporteur"]))
@click.option("--event", "event_slug", help="Slug of the event the role is in.")
@click.option("--admin", is_flag=True, help="May create events.")
@click.option("--password", help="Set a password (otherwise an invitation link is printed).")
@click.option("--lang", default="en", type=click.Choice(["fr", "es", "en"]))
@with_appcontext
def create_user(email, name, role, event_slug, admin, password, lang):
    """Create a user (or add a role to one) and print an invitation link."""
    from flask import current_app

    from .auth import get_or_create_user, grant_role, invitation_url
    from .sessions.models import Event

    if bool(role) != bool(event_slug):
        raise click.UsageError("--role and --event go together.")
    user = get_or_create_user(email, name)
    user.is_admin = user.is_admin or admin
    if role:
        event = db.session.scalar(select(Event).where(Event.slug == event_slug))
        if event is None:
            raise click.UsageError(f"No event with slug {event_slug!r}.")
        grant_role(user, event, role)
    if password:
        user.set_password(password)
    db.session.commit()
    click.echo(f"User {user.email} ready" + (f" as {role} of {event_slug}" if role else "") + ".")
    if not password:
        with current_app.test_request_context():
            click.echo("Invitation link: " + invitation_url(user, lang))


@click.group("translations")
def translations():
    """Extract, update and compile the message catalogs."""


@translations.command("update")
def translations_update():
    """Extract strings and merge them into the fr, es and en catalogs."""
    pot = ROOT / "translations" / "messages.pot"
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run([*pybabel, "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_pgettext:1c,2", "--no-location",  # noqa: S603  (fixed argv, no shell)
                    "--sort-output", "-o", str(pot), str(ROOT)], check=True, cwd=ROOT)
    for lang in ("fr", "es", "en"):
        po = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
        action = "update" if po.exists() else "init"
        subprocess.run([*pybabel, action, "-i", str(pot), "-d", str(ROOT / "translations"), "-l", lang,  # noqa: S603  (fixed argv, no shell)
                        "--width", "100",
                        *(["--no-fuzzy-matching", "--ignore-obsolete"] if action == "update" else [])],
                       check=True, cwd=ROOT)


@translations.command("compile")
def translations_compile():
    """Compile the catalogs (the app also does it on start when a catalog changed)."""
    from .translations import compile_catalogs
    for path in compile_catalogs():
        click.echo(f"compiled {os.path.relpath(path, ROOT)}")


def _server_logs() -> None:
    """In the web server of `dialogue serve`: the app's lines from INFO up on stderr (what it did at start)."""
    if os.environ.get(SERVE_MARK):
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("dialogue").setLevel(logging.INFO)


if __name__ == "__main__":
    _server_logs()
    main()

"""`dialogue reminders send`: the delegations' scheduled mails, for cron or Celery beat to run."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services

reminders = AppGroup("reminders", help="Scheduled mails of the delegations (idempotent: run them often).")


@reminders.command("send")
def send() -> None:
    """Deadline reminders to focal points of delegations without nominations, and notices to organisers
    of people nominated by two delegations; each is sent once."""
    reminded = services.send_deadline_reminders()
    reported = services.send_duplicate_notices()
    db.session.commit()
    click.echo(f"{reminded} delegation(s) reminded of their deadline; {reported} duplicate nomination(s) reported.")

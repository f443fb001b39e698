"""Erasing delegates' personal details after their event: the `dialogue personal-data erase` command
and the `dialogue.erase_personal_data` Celery task.

How it runs: every worker start sends the task once (see `_erase_on_start`), and `dialogue beat`
(one per deployment) sends it daily, from the app's beat schedule (`jobs.engine.beat_schedule`,
entry `erase-personal-data`). A cron line `dialogue personal-data erase` does the same without beat. Each event erased is
one `personal_data.erase` audit entry with the number of rows erased; delegates, lists and
statistics are untouched.
"""
from __future__ import annotations

from datetime import date

import click
from celery import shared_task
from celery.signals import worker_ready
from flask.cli import with_appcontext

from ..extensions import db
from .details import erase_due

TASK = "dialogue.erase_personal_data"


@shared_task(name=TASK)
def erase_personal_data() -> int:
    """Erase the details of every event past its erasure day; the number of rows erased."""
    erased = erase_due()
    db.session.commit()
    return sum(erased.values())


@worker_ready.connect
def _erase_on_start(sender, **_kwargs) -> None:
    """A (re)started worker erases what is due, so no deployment keeps data past its day for long."""
    sender.app.send_task(TASK)


@click.group("personal-data")
def personal_data_cli():
    """Delegates' personal details."""


@personal_data_cli.command("erase")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Erase as if today were this day (YYYY-MM-DD).")
@with_appcontext
def erase(today):
    """Erase the personal details of every event past its erasure day (audited)."""
    erased = erase_due(today.date() if today else date.today())
    db.session.commit()
    click.echo(f"{sum(erased.values())} details erased in {len(erased)} events.")

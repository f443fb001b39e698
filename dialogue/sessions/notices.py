"""Change notices: people of a published session, and delegates registered for it, are told when its
time, room or status changes, in one mail per person for one editing session.

Each change waits as a `PendingNotice` row, written in the transaction of the change. It publishes
`dialogue.send_change_notices` with a countdown of CHANGE_NOTICE_DELAY seconds (default 300, 0 in
tests). The task sends nothing while a newer change of the event is younger than the delay (the
task that change published comes later); otherwise it gathers every pending change, merges those of
one session (first old value, last new one; a move and a move back cancel out), and writes one
outbox message per recipient, in their language, listing each of their sessions.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from babel.languages import get_official_languages
from celery import shared_task
from flask import current_app
from sqlalchemy import JSON, ForeignKey, delete, select
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from ..extensions import db
from ..i18n import LANGUAGES
from ..jobs.engine import publish_after_commit
from ..models import User, utcnow
from .history import NOTICE_FIELDS
from .models import Event, MeetingSession

TASK = "dialogue.send_change_notices"
#: Who on a session's programme is told (contacts are an address for the public, not participants).
NOTIFIED_ROLES = ("chair", "moderator", "speaker", "panelist")


class PendingNotice(db.Model):
    """A change of a published session that its people have not been told about yet."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_session.id", ondelete="CASCADE"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: {field: [old, new]} as the history keeps it (times as naive-UTC ISO text).
    changes: Mapped[dict] = mapped_column(JSON, default=dict)


def delay() -> int:
    """Seconds a change waits for the next ones of the same editing session."""
    value = current_app.config.get("CHANGE_NOTICE_DELAY")
    return 300 if value is None else int(value)


def queue(session: MeetingSession, changes: dict, by) -> PendingNotice | None:
    """Keep what changed of a published session for the next notice (the caller commits)."""
    told = {name: change for name, change in changes.items() if name in NOTICE_FIELDS}
    event = session.event
    if not told or event is None or not event.is_published or session.id is None:
        return None
    notice = PendingNotice(event_id=event.id, session_id=session.id, by_id=getattr(by, "id", None),
                           changes=told, created_at=utcnow())
    db.session.add(notice)
    publish_after_commit(db.session, TASK, event.id, countdown=delay())
    return notice


def merge(rows: list[PendingNotice]) -> dict[int, dict]:
    """{session id: {field: [first old, last new]}}, without fields that came back to where they were."""
    merged: dict[int, dict] = {}
    for row in sorted(rows, key=lambda r: (r.created_at, r.id)):
        fields = merged.setdefault(row.session_id, {})
        for name, (old, new) in row.changes.items():
            fields[name] = [fields[name][0] if name in fields else old, new]
    return {sid: {k: v for k, v in fields.items() if v[0] != v[1]} for sid, fields in merged.items()
            if any(v[0] != v[1] for v in fields.values())}


def language_of(email: str, accounts: dict[str, str | None], country: str | None, event: Event) -> str:
    """A recipient's language: their account's, else their country's official one among ours,
    else the event's original language."""
    if accounts.get(email) in LANGUAGES:
        return accounts[email]
    if country:
        for lang in get_official_languages(country, de_facto=True):
            if lang in LANGUAGES:
                return lang
    return event.original_language if event.original_language in LANGUAGES else "en"


def recipients(event: Event, sessions: list[MeetingSession]) -> dict[str, dict]:
    """{email: {"name", "lang", "sessions": [session ids]}} of the sessions' people with an email
    and the delegates (nominated or accredited) registered for them; a fixed number of queries."""
    from ..delegates.models import ACTIVE_STATUSES, Delegate, SessionRegistration

    found: dict[str, dict] = {}

    def add(email: str, name: str, country: str | None, session_id: int) -> None:
        email = (email or "").strip().lower()
        if not email or "@" not in email:
            return
        entry = found.setdefault(email, {"name": name, "country": country, "sessions": []})
        if session_id not in entry["sessions"]:
            entry["sessions"].append(session_id)

    for s in sessions:
        for p in s.people:
            if p.role in NOTIFIED_ROLES:
                add(p.email, p.name, None, s.id)
    ids = [s.id for s in sessions]
    rows = db.session.execute(
        select(Delegate, SessionRegistration.session_id).join(SessionRegistration, SessionRegistration.delegate_id == Delegate.id)
        .where(SessionRegistration.session_id.in_(ids), Delegate.status.in_(ACTIVE_STATUSES))
        .options(selectinload(Delegate.delegation)).order_by(Delegate.id)).all()
    for delegate, session_id in rows:
        add(delegate.email, f"{delegate.given_name} {delegate.family_name}", delegate.delegation.country, session_id)
    accounts = dict(db.session.execute(select(User.email, User.locale).where(User.email.in_(list(found)))).all()) \
        if found else {}
    for email, entry in found.items():
        entry["lang"] = language_of(email, accounts, entry.pop("country"), event)
    return found


def send_due(event_id: int, now: datetime | None = None) -> int:
    """Turn the event's pending changes into mails once its editing has paused for the delay.

    Returns the number of messages written to the outbox; the caller commits. While the newest
    change is younger than the delay, nothing is sent and the task is asked for again when it is
    due (the newest change's own task normally comes then; this covers clocks that disagree).
    """
    from .notice_mail import compose

    now = now or utcnow()
    rows = list(db.session.scalars(select(PendingNotice).where(PendingNotice.event_id == event_id)
                                   .order_by(PendingNotice.id).with_for_update(skip_locked=True)))
    if not rows:
        return 0
    wait = delay()
    due = max(r.created_at for r in rows) + timedelta(seconds=wait)
    if wait and due > now + timedelta(seconds=1):
        publish_after_commit(db.session, TASK, event_id, countdown=(due - now).total_seconds())
        return 0  # still being edited
    db.session.execute(delete(PendingNotice).where(PendingNotice.id.in_([r.id for r in rows])))
    event = db.session.get(Event, event_id)
    changes = merge(rows)
    if event is None or not event.is_published or not changes:
        return 0
    sessions = {s.id: s for s in db.session.scalars(
        select(MeetingSession).where(MeetingSession.id.in_(list(changes)))
        .options(selectinload(MeetingSession.people)))}
    count = 0
    for email, entry in recipients(event, list(sessions.values())).items():
        mine = [(sessions[sid], changes[sid]) for sid in entry["sessions"] if sid in sessions]
        compose(event, email, entry["lang"], mine)
        count += 1
    return count


@shared_task(name=TASK)
def send_change_notices(event_id: int) -> int:
    """Write the change notices of an event to the outbox (they are delivered after this commits)."""
    count = send_due(event_id)
    db.session.commit()
    return count

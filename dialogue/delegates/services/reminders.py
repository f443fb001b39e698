"""Mails a scheduler sends (`dialogue reminders send`, from cron or Celery beat): deadline reminders to
focal points of delegations that have nominated nobody, and notices to organisers of people that two
delegations nominated. Both are idempotent: run them as often as you like."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...i18n import LANGUAGES
from ...mail import send_mail
from ...models import utcnow
from ...sessions.models import Event
from ..models import ACTIVE_STATUSES, Delegate, Delegation, FocalPoint, NominationWindow
from .names import delegation_name
from .notify import _event_title, external_url, organisers
from .window import when, window_for


def _lang(user, event: Event) -> str:
    return user.locale if user.locale in LANGUAGES else event.original_language


def send_deadline_reminders(now: datetime | None = None) -> int:
    """Remind the focal points of each delegation without a nomination, `reminder_days` before its
    deadline (the event's, or its own extension); once per delegation and deadline. Returns the
    number of delegations reminded; the caller commits."""
    now = now or utcnow()
    sent = 0
    windows = db.session.scalars(select(NominationWindow).where(NominationWindow.closes_at.is_not(None),
                                                                NominationWindow.reminder_days > 0)).all()
    for row in windows:
        held = dict(db.session.execute(
            select(Delegate.delegation_id, func.count()).where(Delegate.event_id == row.event_id,
                                                                Delegate.status.in_(ACTIVE_STATUSES))
            .group_by(Delegate.delegation_id)).all())
        delegations = db.session.scalars(
            select(Delegation).where(Delegation.event_id == row.event_id)
            .options(selectinload(Delegation.focal_points).selectinload(FocalPoint.user),
                     selectinload(Delegation.event))).all()
        for delegation in delegations:
            deadline = window_for(delegation, row).closes_at
            due = deadline - timedelta(days=row.reminder_days) <= now < deadline
            if not due or held.get(delegation.id) or delegation.reminded_for == deadline:
                continue
            _remind(delegation, deadline, now)
            delegation.reminded_for = deadline
            sent += 1
    return sent


def _remind(delegation: Delegation, deadline: datetime, now: datetime) -> None:
    event = delegation.event
    for point in delegation.focal_points:
        lang = _lang(point.user, event)
        with force_locale(lang):
            days = max(int((deadline - now).total_seconds() // 86400), 0)
            values = {"event": _event_title(event, lang), "delegation": delegation_name(delegation, lang),
                      "date": when(deadline, event.timezone),
                      "url": external_url("delegates.delegation", lang=lang, slug=event.slug,
                                          delegation_id=delegation.id)}
            subject = _("Reminder: nominate the delegation of %(delegation)s to %(event)s", **values)
            left = ngettext("%(num)d day is left.", "%(num)d days are left.", days) if days else \
                _("Less than a day is left.")
            body = _("Hello,\n\nThe delegation of %(delegation)s has nominated nobody to %(event)s yet. "
                     "The deadline is %(date)s.", **values) + " " + left + "\n\n" + \
                _("Nominate its delegates here: %(url)s", **values)
        send_mail(point.user.email, subject, body, event)


def flag_missed_duplicates() -> int:
    """Flag the duplicates that two nominations made at the same moment could not see (each checked
    before the other committed); returns the number of nominations flagged."""
    pairs = (select(Delegate.event_id, Delegate.email).where(Delegate.status.in_(ACTIVE_STATUSES))
             .group_by(Delegate.event_id, Delegate.email)
             .having(func.count(func.distinct(Delegate.delegation_id)) > 1).subquery())
    rows = db.session.execute(
        select(Delegate, pairs.c.event_id).join(pairs, (pairs.c.event_id == Delegate.event_id)
                                                & (pairs.c.email == Delegate.email))
        .where(Delegate.status.in_(ACTIVE_STATUSES)).order_by(Delegate.id)).all()
    holders: dict[tuple, list[Delegate]] = defaultdict(list)
    for delegate, _event in rows:
        holders[(delegate.event_id, delegate.email)].append(delegate)
    flagged = 0
    for people in holders.values():
        for delegate in people:
            if delegate.also_in_delegation_id is None:
                delegate.also_in_delegation_id = min(d.delegation_id for d in people
                                                     if d.delegation_id != delegate.delegation_id)
                flagged += 1
    return flagged


def send_duplicate_notices() -> int:
    """Tell each event's organisers, in one mail, about the people newly nominated by two
    delegations (flagged on the accreditation queue); returns the number of people reported."""
    flag_missed_duplicates()
    db.session.flush()
    rows = db.session.scalars(select(Delegate).where(
        Delegate.also_in_delegation_id.is_not(None), Delegate.duplicate_noticed_at.is_(None),
        Delegate.status.in_(ACTIVE_STATUSES)).order_by(Delegate.event_id, Delegate.id)).all()
    by_event: dict[int, dict[str, list[Delegate]]] = defaultdict(dict)
    for delegate in rows:
        by_event[delegate.event_id].setdefault(delegate.email, []).append(delegate)
    now = utcnow()
    reported = 0
    for event_id, people in by_event.items():
        event = db.session.get(Event, event_id)
        names = {d.id: d for d in db.session.scalars(select(Delegation).where(Delegation.event_id == event_id))}
        for user in organisers(event):
            lang = _lang(user, event)
            with force_locale(lang):
                lines = []
                for email, delegates in people.items():
                    first = delegates[0]
                    both = sorted({delegation_name(names[i], lang) for d in delegates
                                   for i in (d.delegation_id, d.also_in_delegation_id) if i in names})
                    lines.append(_("- %(name)s (%(email)s): %(delegations)s", name=f"{first.given_name} {first.family_name}",
                                   email=email, delegations=", ".join(both)))
                values = {"event": _event_title(event, lang),
                          "url": external_url("delegates_manage.accreditation", lang=lang, slug=event.slug)}
                subject = ngettext("%(num)d person nominated by two delegations to %(event)s",
                                   "%(num)d people nominated by two delegations to %(event)s", len(people), **values)
                body = _("Hello,\n\nThese people are nominated by more than one delegation. Their focal points were "
                         "not told. Decide on the accreditation queue: %(url)s", **values) + "\n\n" + "\n".join(lines)
            send_mail(user.email, subject, body, event)
        for delegates in people.values():
            for d in delegates:
                d.duplicate_noticed_at = now
        reported += len(people)
    return reported

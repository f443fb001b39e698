"""Mails to focal points about decisions on their nominations, through the outbox; absolute links for mails."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...i18n import LANGUAGES
from ...mail import send_mail
from ...sessions.models import Event
from ..models import Delegate, FocalPoint
from .names import about, agree, delegation_name, person_name


def _external(path: str) -> str:
    return current_app.config["SERVER_NAME_FOR_MAIL"].rstrip("/") + path


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail, also from the CLI or a job, where there is no request."""
    from flask import has_request_context
    if has_request_context():
        return _external(url_for(endpoint, **values))
    with current_app.test_request_context():
        return _external(url_for(endpoint, **values))


def _event_title(event: Event, lang: str) -> str:
    from ...i18n import pick
    return pick(event.title, lang, event.original_language).text


def _tell_focal_points(delegate: Delegate) -> None:
    delegation = delegate.delegation
    event = delegation.event
    points = db.session.scalars(select(FocalPoint).where(FocalPoint.delegation_id == delegation.id)
                                .options(selectinload(FocalPoint.user))).all()
    for point in points:
        lang = point.user.locale if point.user.locale in LANGUAGES else event.original_language
        with force_locale(lang):
            who = person_name(delegate)
            title = _event_title(event, lang)
            url = external_url("delegates.delegation", lang=lang, slug=event.slug, delegation_id=delegation.id)
            if delegate.status == "accredited":
                g = delegate.gender
                subject = agree(g, _("%(name)s is accredited to %(event)s", name=who, event=title),
                                pgettext("female", "%(name)s is accredited to %(event)s", name=who, event=title),
                                pgettext("male", "%(name)s is accredited to %(event)s", name=who, event=title))
                values = {"name": who, "delegation": delegation_name(delegation, lang), "event": title, "url": url}
                body = agree(g, _("Hello,\n\n%(name)s (%(delegation)s) is accredited to %(event)s.\n\n"
                                  "Your delegation: %(url)s", **values),
                             pgettext("female", "Hello,\n\n%(name)s (%(delegation)s) is accredited to %(event)s.\n\n"
                                      "Your delegation: %(url)s", **values),
                             pgettext("male", "Hello,\n\n%(name)s (%(delegation)s) is accredited to %(event)s.\n\n"
                                      "Your delegation: %(url)s", **values))
            else:
                subject = about(who, _("The nomination of %(name)s to %(event)s is rejected", name=who, event=title),
                                pgettext("elided", "The nomination of %(name)s to %(event)s is rejected",
                                         name=who, event=title))
                values = {"name": who, "delegation": delegation_name(delegation, lang), "event": title,
                              "reason": delegate.reason, "url": url}
                body = about(who, _("Hello,\n\nThe organisers of %(event)s rejected the nomination of %(name)s "
                                    "(%(delegation)s).\n\nReason: %(reason)s\n\nYour delegation: %(url)s", **values),
                             pgettext("elided", "Hello,\n\nThe organisers of %(event)s rejected the nomination of "
                                      "%(name)s (%(delegation)s).\n\nReason: %(reason)s\n\nYour delegation: %(url)s",
                                      **values))
        send_mail(point.user.email, subject, body, event)


def _tell_focal_points_many(delegates: list[Delegate]) -> None:
    """One message to each focal point of a delegation for several accreditations at once."""
    delegation = delegates[0].delegation
    event = delegation.event
    points = db.session.scalars(select(FocalPoint).where(FocalPoint.delegation_id == delegation.id)
                                .options(selectinload(FocalPoint.user))).all()
    names = "\n".join(f"- {person_name(d)}" for d in delegates)
    for point in points:
        lang = point.user.locale if point.user.locale in LANGUAGES else event.original_language
        with force_locale(lang):
            title = _event_title(event, lang)
            dname = delegation_name(delegation, lang)
            url = external_url("delegates.delegation", lang=lang, slug=event.slug, delegation_id=delegation.id)
            subject = _("%(count)d delegates of %(delegation)s are accredited to %(event)s",
                        count=len(delegates), delegation=dname, event=title)
            body = _("Hello,\n\nThese delegates of %(delegation)s are accredited to %(event)s:\n\n%(names)s\n\n"
                     "Your delegation: %(url)s", delegation=dname, event=title, names=names, url=url)
        send_mail(point.user.email, subject, body, event)


def organisers(event: Event) -> list:
    """The event's organisers (not administrators at large), who get the desk's notices."""
    from ...models import EventRole, User
    return list(db.session.scalars(select(User).join(EventRole, EventRole.user_id == User.id).where(
        EventRole.event_id == event.id, EventRole.role == "organiser").order_by(User.id)))

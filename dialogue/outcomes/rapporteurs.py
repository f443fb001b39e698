"""Rapporteurs of sessions, and the event's themes that key messages are filed under."""
from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import clean_translations, language_name
from ..models import User, audit
from ..permissions import can_organise, ensure
from ..sessions.models import Event, MeetingSession
from .errors import OutcomeError
from .models import OutcomeTheme, SessionRapporteur

# --- rapporteurs ------------------------------------------------------------------------------

def rapporteur_sessions(user, event: Event) -> list[MeetingSession]:
    """The sessions of `event` this user reports on."""
    return list(db.session.scalars(
        select(MeetingSession).join(SessionRapporteur, SessionRapporteur.session_id == MeetingSession.id)
        .where(SessionRapporteur.user_id == user.id, MeetingSession.event_id == event.id)
        .order_by(MeetingSession.starts_at, MeetingSession.code)))


def assignments(event: Event) -> list[SessionRapporteur]:
    return list(db.session.scalars(
        select(SessionRapporteur).join(MeetingSession).where(MeetingSession.event_id == event.id)
        .options(selectinload(SessionRapporteur.user), selectinload(SessionRapporteur.session))
        .order_by(MeetingSession.starts_at, MeetingSession.code, SessionRapporteur.id)))


def assign_rapporteur(session: MeetingSession, email: str, name: str, by, lang: str) -> SessionRapporteur:
    """Make someone rapporteur of a session and mail them (a set-password link if they have none)."""

    from ..auth import invite
    from ..formatting import tr_text
    event = session.event
    ensure(can_organise, by, event)
    email = (email or "").strip().lower()
    if "@" not in email:
        raise OutcomeError(_("Give a valid email address."), "email")
    already = db.session.scalar(select(SessionRapporteur.id).join(User).where(
        User.email == email, SessionRapporteur.session_id == session.id))
    if already:
        raise OutcomeError(_("%(email)s is already rapporteur of session %(code)s.", email=email, code=session.code),
                           "email")
    with force_locale(lang):
        title = tr_text(session.title, session.original_language)
        from flask import current_app, url_for
        page = current_app.config["SERVER_NAME_FOR_MAIL"].rstrip("/") + url_for(
            "outcomes_manage.my_sessions", lang=lang, slug=event.slug)
        intro = _("You are rapporteur of session %(code)s, %(title)s: you draft its key messages and submit "
                  "them to the organisers.", code=session.code, title=title) + "\n\n" + _(
            "Your key messages, once signed in: %(url)s", url=page)
        subject = _("Rapporteur of session %(code)s", code=session.code)
    user = invite(event, email, name, "rapporteur", by, lang, subject=subject, intro=intro)
    link = SessionRapporteur(user=user, session=session)
    db.session.add(link)
    db.session.flush()
    audit("rapporteur.assign", user=by, event=event, target=f"session:{session.id}", email=email)
    return link


def unassign_rapporteur(link: SessionRapporteur, by) -> None:
    event = link.session.event
    ensure(can_organise, by, event)
    audit("rapporteur.unassign", user=by, event=event, target=f"session:{link.session_id}", email=link.user.email)
    db.session.delete(link)


# --- themes -----------------------------------------------------------------------------------

def themes(event: Event) -> list[OutcomeTheme]:
    return list(db.session.scalars(select(OutcomeTheme).where(OutcomeTheme.event_id == event.id)
                                   .order_by(OutcomeTheme.position, OutcomeTheme.id)))


def set_themes(event: Event, lines: dict, by) -> list[OutcomeTheme]:
    """Themes from one line per theme in each language; the lines of each language must match."""
    ensure(can_organise, by, event)
    per_lang = split_items(lines, "themes", separator="\n")
    existing = themes(event)
    for i, title in enumerate(per_lang):
        theme = existing[i] if i < len(existing) else OutcomeTheme(event_id=event.id)
        theme.position, theme.title = i, title
        db.session.add(theme)
    for theme in existing[len(per_lang):]:
        db.session.delete(theme)
    db.session.flush()
    audit("outcome.themes", user=by, event=event, count=len(per_lang))
    return themes(event)


def split_items(value: dict | None, field: str, separator: str = "\n\n") -> list[dict]:
    """Text per language, cut into items (paragraphs or lines) that must line up across languages."""
    counts, items = {}, {}
    for code, text in clean_translations(value).items():
        text = text.replace("\r\n", "\n")  # browsers send text areas with CRLF line ends
        parts = [p.strip() for p in (re.split(r"\n[ \t]*\n", text) if separator == "\n\n" else text.split("\n"))
                 if p.strip()]
        counts[code], items[code] = len(parts), parts
    if len(set(counts.values())) > 1:
        detail = ", ".join(f"{language_name(code, _current())}: {n}" for code, n in counts.items())
        raise OutcomeError(_("Each language must have the same number of items, so that every paragraph keeps "
                             "its number in every language (%(detail)s).", detail=detail), field)
    n = max(counts.values(), default=0)
    return [{code: items[code][i] for code in items} for i in range(n)]


def _current() -> str:
    from ..formatting import current_lang
    return current_lang()

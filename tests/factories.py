"""Small helpers that build test data through the real models."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pikepdf
from openpyxl import Workbook

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.models import User
from dialogue.sessions import directory
from dialogue.sessions.models import Event, MeetingSession, Person, Room, SessionPerson
from dialogue.sessions.services import local_to_utc

PASSWORD = "correct horse battery"
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def user(email=None, *, name="Test User", password=PASSWORD, admin=False) -> User:
    u = User(email=email or f"user{_next()}@example.org", name=name, is_admin=admin)
    u.set_password(password)
    db.session.add(u)
    db.session.commit()
    return u


def event(slug=None, *, status="published", tz="Europe/Zurich", starts=date(2022, 12, 12),
          ends=date(2022, 12, 14), title=None, organiser=None) -> Event:
    ev = Event(slug=slug or f"event-{_next()}", status=status, timezone=tz, starts_on=starts, ends_on=ends,
               original_language="en",
               title=title or {"fr": "Sommet de test", "es": "Cumbre de prueba", "en": "Test summit"})
    db.session.add(ev)
    db.session.flush()
    if organiser is not None:
        grant_role(organiser, ev, "organiser")
    db.session.commit()
    return ev


def session(ev: Event, code=None, *, kind="plenary", start="2022-12-12 09:00", minutes=90, room="Room 1",
            title=None, people=(), original_language="en", commit=True, **extra) -> MeetingSession:
    """A session; `room` and people are names, found in (or added to) the event's records."""
    local = datetime.strptime(start, "%Y-%m-%d %H:%M")
    code = code or f"S{_next()}"
    room = directory.room_or_new(ev, room) if room else None
    people = [(r, directory.person_or_new(ev, n, o)) for r, n, o in people]
    s = MeetingSession(event=ev, code=code, kind=kind, room=room, original_language=original_language,
                       title=title or {"fr": f"Séance {code}", "es": f"Sesión {code}", "en": f"Session {code}"},
                       starts_at=local_to_utc(local, ev.timezone),
                       ends_at=local_to_utc(local + timedelta(minutes=minutes), ev.timezone), **extra)
    s.people = [SessionPerson(role=r, person=p, position=i) for i, (r, p) in enumerate(people)]
    db.session.add(s)
    if commit:
        db.session.commit()
    return s


def many_sessions(ev: Event, n: int, *, people_each: int = 3) -> None:
    """n sessions over the event's days, several in parallel, each with people (records made here,
    without a query per session)."""
    rooms = [Room(event=ev, name={"en": f"Room {r}"}) for r in range(7)]
    db.session.add_all(rooms)
    for i in range(n):
        day = 12 + (i // 40) % 3
        hour = 8 + (i % 40) // 4
        local = datetime.strptime(f"2022-12-{day:02d} {hour:02d}:{(i % 4) * 10:02d}", "%Y-%m-%d %H:%M")
        s = MeetingSession(event=ev, code=f"G{i:04d}", kind="plenary", room=rooms[i % 7], original_language="en",
                           title={"fr": f"Séance {i}", "es": f"Sesión {i}", "en": f"Session {i}"},
                           starts_at=local_to_utc(local, ev.timezone),
                           ends_at=local_to_utc(local + timedelta(minutes=50), ev.timezone))
        s.people = [SessionPerson(role="speaker", position=j, person=Person(
            event=ev, name=f"Speaker {i}-{j}", organisation="Org")) for j in range(people_each)]
        db.session.add(s)
    db.session.commit()


def xlsx(*rows) -> bytes:
    """An Excel file of one sheet with these rows (the headers first, if it has any), as uploaded."""
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def blank_pdf() -> bytes:
    """A PDF of one blank page: a scanned letter, as far as an upload form can tell."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()

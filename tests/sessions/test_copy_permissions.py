"""Copying an event (permissions.can_copy_event): the copier becomes organiser of the new draft only,
nobody else gets a role from the copy, and nothing of the delegates' side is copied (delegations,
delegates and their personal details, tokens, credentials letters, sign-ups, rapporteurs)."""
from datetime import date

from sqlalchemy import func, select

from dialogue.auth import grant_role
from dialogue.delegates import api
from dialogue.delegates.models import ApiToken, CredentialsLetter, SessionRegistration
from dialogue.delegates.personal_models import DelegateDetails
from dialogue.extensions import db
from dialogue.models import EventRole
from dialogue.outcomes.models import SessionRapporteur
from dialogue.permissions import can_organise
from dialogue.sessions import copying
from dialogue.sessions.models import Event, MeetingSession, Person

from .. import factories as f
from ..delegates import factories as df


def _source():
    """An event with two organisers, a delegation with a focal point, an accredited delegate with
    personal details and a sign-up, an API token, a credentials letter and a rapporteur."""
    org, co = f.user("org@example.org"), f.user("co@example.org")
    ev = f.event(organiser=org)
    grant_role(co, ev, "organiser")
    s = f.session(ev, "PL1", room="Sala A", people=[("chair", "María López", "APCI")])
    focal, d = df.focal_point(ev)
    person = directory_person(ev)
    person.delegation_id = d.id
    delegate = df.delegate(d, "Ana", "Quispe", status="accredited", commit=False,
                           registrations=[SessionRegistration(session=s)])
    db.session.flush()
    db.session.add(DelegateDetails(delegate_id=delegate.id, event_id=ev.id, document_number="P1234567",
                                   nationality="PE", birth_date=date(1980, 1, 2)))
    db.session.add(CredentialsLetter(delegation_id=d.id, sha256="0" * 64, size=10, content_type="application/pdf",
                                     filename="letter.pdf"))
    rapporteur = f.user("rapporteur@example.org")
    db.session.add(SessionRapporteur(user_id=rapporteur.id, session_id=s.id))
    api.create_token(focal, "ministry", d)
    db.session.commit()
    return org, co, focal, rapporteur, ev


def directory_person(ev) -> Person:
    return db.session.scalar(select(Person).where(Person.event_id == ev.id))


def _copy(source, by) -> Event:
    new = copying.copy_event(source, {"slug": f"copy-{source.id}", "starts_on": date(2023, 12, 11)}, by)
    db.session.commit()
    return new


def test_the_copier_is_organiser_of_the_new_event_only(app):
    org, co, focal, rapporteur, ev = _source()
    before = set(db.session.execute(select(EventRole.user_id, EventRole.event_id, EventRole.role)).all())
    new = _copy(ev, org)
    after = set(db.session.execute(select(EventRole.user_id, EventRole.event_id, EventRole.role)).all())
    assert after - before == {(org.id, new.id, "organiser")}  # one new grant: the copier's, on the copy
    assert new.status == "draft"
    assert can_organise(org, new) and not any(can_organise(u, new) for u in (co, focal, rapporteur))
    # the co-organiser copies too, and gets the new event for themself only
    other = copying.copy_event(ev, {"slug": "copy-by-co", "starts_on": date(2024, 12, 9)}, co)
    db.session.commit()
    assert can_organise(co, other) and not can_organise(org, other)
    # an administrator's copy gives no role (administrators organise every event already)
    admin = f.user("admin@example.org", admin=True)
    third = _copy(new, admin)
    assert db.session.scalar(select(func.count()).select_from(EventRole).where(EventRole.event_id == third.id)) == 0


def _tables_with_rows(event: Event) -> set[str]:
    """The tables that hold rows of `event` (by event_id) or of its sessions (by session_id)."""
    found = set()
    session_ids = select(MeetingSession.id).where(MeetingSession.event_id == event.id)
    for table in db.Model.metadata.sorted_tables:
        if "event_id" in table.c:
            where = table.c.event_id == event.id
        elif "session_id" in table.c:
            where = table.c.session_id.in_(session_ids)
        else:
            continue
        if db.session.scalar(select(func.count()).select_from(table).where(where)):
            found.add(table.name)
    return found


def test_the_copy_takes_the_agenda_and_no_personal_data_of_the_delegates_side(app):
    org, _co, _focal, _rapporteur, ev = _source()
    # the source has them all
    assert {"delegation", "delegate", "delegate_details", "session_registration", "session_rapporteur",
            "event_role"} <= _tables_with_rows(ev)
    letters = db.session.scalar(select(func.count()).select_from(CredentialsLetter))
    new = _copy(ev, org)
    # the agenda's records, the copier's role and the audit line of the copy: nothing else
    copied = _tables_with_rows(new)
    assert copied == {"room", "person", "meeting_session", "session_person", "event_role", "audit_entry"}, copied
    # tokens and credentials letters hang on delegations, and the copy has none
    assert db.session.scalar(select(func.count()).select_from(CredentialsLetter)) == letters == 1
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
    person = directory_person(new)
    assert (person.name, person.organisation, person.delegation_id) == ("María López", "APCI", None)
    assert new.participants_published_at is None and new.former_slugs == []

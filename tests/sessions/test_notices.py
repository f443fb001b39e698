"""Change notices: who is told when a published session moves, changes room, is cancelled or binned."""
from sqlalchemy import select

from dialogue.delegates.models import SessionRegistration
from dialogue.extensions import db
from dialogue.models import OutboxMessage
from dialogue.sessions import directory
from dialogue.sessions.models import SessionPerson
from dialogue.sessions.notices import PendingNotice

from .. import factories as f
from ..delegates import factories as df
from ..workers import wait_until


def _edit(client, ev, s, **changes):
    """Post the session's edit form with its current values and these changes."""
    data = {"code": s.code, "kind": s.kind, "original_language": "en", "title-en": s.title["en"],
            "starts_at": "2022-12-12T09:00", "ends_at": "2022-12-12T10:30", "room": s.room.name["en"],
            "people-0-role": "chair", "people-0-name": "Chair Person"}
    data.update(changes)
    response = client.post(f"/en/manage/events/{ev.slug}/sessions/{s.code}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def _setting(auth, status="published"):
    org = f.user("org@example.org", name="María López")
    ev = f.event(organiser=org, status=status)
    auth.login(org.email)
    pl1 = f.session(ev, "PL1", room="Sala A", start="2022-12-12 09:00")
    pl2 = f.session(ev, "PL2", room="Sala C", start="2022-12-12 09:00")
    for name in ("Sala B", "Sala D"):
        directory.room_or_new(ev, name)
    directory.person_or_new(ev, "Chair Person", email="chair@example.org")
    french = df.delegate(df.delegation(ev, "FR"), "Jeanne", "Martin", email="jeanne@example.fr", status="accredited")
    peruvian = df.delegate(df.delegation(ev, "PE"), "Rosa", "Quispe", email="rosa@example.pe")
    for d, s in ((french, pl1), (french, pl2), (peruvian, pl2)):
        db.session.add(SessionRegistration(delegate=d, session=s))
    db.session.commit()
    return org, ev, pl1, pl2


def _mails():
    return {m.recipient: m for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}


def test_two_edits_of_two_sessions_send_one_mail_per_person_in_their_language(client, app, auth, jobs):
    app.config["CHANGE_NOTICE_DELAY"] = 1  # the two edits fall within one editing session
    try:
        org, ev, pl1, pl2 = _setting(auth)
        _edit(client, ev, pl1, room="Sala B")
        _edit(client, ev, pl2, starts_at="2022-12-12T11:00", ends_at="2022-12-12T12:30", room="Sala C")
        wait_until(lambda: len(_mails()) == 3, jobs, what="the change notices")
    finally:
        app.config["CHANGE_NOTICE_DELAY"] = 0
    mails = _mails()
    assert sorted(mails) == ["chair@example.org", "jeanne@example.fr", "rosa@example.pe"]
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 3  # one each, not one per edit
    jeanne = mails["jeanne@example.fr"].body
    assert "PL1" in jeanne and "PL2" in jeanne
    assert "Salle : Sala A → Sala B" in jeanne
    assert "09:00–10:30 → " in jeanne and "11:00–12:30" in jeanne  # Zurich time, as the event
    assert "modifié 2 sessions" in jeanne and "Europe/Zurich" in jeanne
    assert "2 sessions" in mails["jeanne@example.fr"].subject
    rosa = mails["rosa@example.pe"]
    assert "PL2" in rosa.body and "PL1" not in rosa.body and "Sala A" not in rosa.body
    assert "Hora:" in rosa.body  # Peru: Spanish
    assert mails["chair@example.org"].subject == "Test summit: changes to 2 sessions"  # chairs both, in English
    assert db.session.scalar(select(PendingNotice.id)) is None


def test_cancelling_and_binning_are_told(client, app, auth, jobs):
    org, ev, pl1, pl2 = _setting(auth)
    client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/status", data={"status": "cancelled"})
    jobs.wait()
    assert "Cette session est annulée." in _mails()["jeanne@example.fr"].body
    client.post(f"/en/manage/events/{ev.slug}/sessions/PL2/delete")
    jobs.wait()
    last = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "rosa@example.pe")).all()
    assert len(last) == 1 and "Esta sesión se retira del programa." in last[0].body


def test_no_notice_for_an_unpublished_event_or_a_change_nobody_must_know(client, app, auth, jobs):
    org, ev, pl1, pl2 = _setting(auth, status="draft")
    _edit(client, ev, pl1, room="Sala B")
    client.post(f"/en/manage/events/{ev.slug}/sessions/PL2/status", data={"status": "cancelled"})
    jobs.wait()
    assert _mails() == {}
    ev.status = "published"
    db.session.commit()
    _edit(client, ev, pl1, **{"title-en": "A new title only"})  # titles are not announced
    jobs.wait()
    assert _mails() == {}
    assert db.session.scalar(select(PendingNotice.id)) is None


def test_a_move_and_a_move_back_cancel_out(client, app, auth, jobs):
    app.config["CHANGE_NOTICE_DELAY"] = 1
    try:
        org, ev, pl1, pl2 = _setting(auth)
        _edit(client, ev, pl1, room="Sala B")
        _edit(client, ev, pl1, room="Sala A")
        jobs.wait()
    finally:
        app.config["CHANGE_NOTICE_DELAY"] = 0
    assert _mails() == {}
    chair = db.session.scalar(select(SessionPerson).where(SessionPerson.session_id == pl1.id))
    assert chair.email == "chair@example.org"


def test_notices_wait_until_the_editing_has_paused_for_the_delay(client, app, auth):
    from datetime import timedelta

    from dialogue.models import utcnow
    from dialogue.sessions.notices import send_due
    org, ev, pl1, pl2 = _setting(auth)
    start = utcnow()
    db.session.add_all([
        PendingNotice(event_id=ev.id, session_id=pl1.id, created_at=start, changes={"room": ["Sala A", "Sala B"]}),
        PendingNotice(event_id=ev.id, session_id=pl2.id, created_at=start + timedelta(seconds=100),
                      changes={"room": ["Sala C", "Sala D"]})])
    db.session.commit()
    app.config["CHANGE_NOTICE_DELAY"] = 300
    try:
        assert send_due(ev.id, now=start + timedelta(seconds=350)) == 0  # the second change is 250 s old
        db.session.rollback()  # (the task would ask to be run again at 400 s)
        assert send_due(ev.id, now=start + timedelta(seconds=401)) == 2  # Jeanne and Rosa
        db.session.commit()
    finally:
        app.config["CHANGE_NOTICE_DELAY"] = 0
    assert "Sala A → Sala B" in _mails()["jeanne@example.fr"].body
    assert db.session.scalar(select(PendingNotice.id)) is None

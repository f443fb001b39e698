"""Mail as organisers meet it: written with the change that causes it, delivered by a worker after
commit to a real SMTP server, retried with back-off when the server refuses, never sent twice, and
shown in the outbox with its state."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from sqlalchemy import func, select

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.mail import send_mail
from dialogue.mailer import attempt
from dialogue.models import OutboxMessage, utcnow

from . import factories as f
from .smtp import SMTPServer
from .workers import wait_until

MAIL_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_RETRY_DELAY", "MAIL_MAX_ATTEMPTS",
                 "MAIL_SENDING_TIMEOUT")


@pytest.fixture
def smtp(app):
    """A real SMTP server, and the app configured to send to it (short back-off for the tests)."""
    server = SMTPServer().start()
    saved = {name: app.config.get(name) for name in MAIL_SETTINGS}
    app.config.update(MAIL_SERVER=server.host, MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_RETRY_DELAY=0.2)
    yield server.mailbox
    server.stop()
    app.config.update(saved)


@pytest.fixture
def organiser(app, auth):
    org = f.user()
    ev = f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    auth.login(org.email)
    return org, ev


@pytest.fixture
def published():
    """Names of the Celery tasks published during the test."""
    names: list[str] = []

    def record(sender=None, **_kwargs):
        names.append(sender)
    before_task_publish.connect(record, weak=False)
    yield names
    before_task_publish.disconnect(record)


def invite(client, ev, email="colleague@example.org", language="fr"):
    response = client.post(f"/en/manage/events/{ev.slug}/team", data={"email": email, "language": language})
    assert response.status_code == 302
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == email))


def outbox_page(client, ev, lang="en") -> str:
    return re.sub(r"\s+", " ", client.get(f"/{lang}/manage/events/{ev.slug}/outbox").get_data(as_text=True))


def test_an_invitation_commits_then_a_worker_delivers_it_and_the_outbox_says_sent(client, jobs, smtp, organiser):
    _org, ev = organiser
    mail = invite(client, ev)  # the tripwire fails this request if it opens an SMTP connection
    assert mail.status in ("queued", "sending", "sent")
    jobs.wait()
    db.session.refresh(mail)
    assert (mail.status, mail.attempts, mail.error) == ("sent", 1, None)
    [received] = smtp.messages
    assert received["To"] == "colleague@example.org" and received["Subject"] == mail.subject
    assert received["Message-ID"] == mail.message_id
    assert re.fullmatch(rf"<outbox-{mail.id}\.\d{{14}}@example\.org>", mail.message_id)
    assert "set-password" in received.get_payload(decode=True).decode()
    page = outbox_page(client, ev, "fr")
    assert "Envoyé le" in page and "Renvoyer" not in page


def test_a_rollback_after_send_mail_leaves_no_row_and_sends_nothing(app, jobs, smtp, published):
    send_mail("nobody@example.org", "Never", "This change is rolled back.")
    db.session.rollback()
    jobs.wait()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert "dialogue.deliver_mail" not in published and smtp.attempts == []


def test_without_a_mail_server_the_message_is_kept_in_the_outbox(client, jobs, organiser, published):
    _org, ev = organiser
    mail = invite(client, ev)
    jobs.wait()
    assert mail.status == "kept" and "dialogue.deliver_mail" not in published
    assert "Conservé dans la boîte d’envoi (pas de serveur de messagerie)" in outbox_page(client, ev, "fr")


def test_a_refusing_server_is_retried_with_growing_delays_until_it_accepts(app, jobs, smtp):
    smtp.refuse = ["550 5.7.1 Service unavailable", "421 4.3.2 Try again later"]
    message = send_mail("delegate@example.org", "Accreditation", "You are accredited.")
    db.session.commit()
    wait_until(lambda: db.session.get(OutboxMessage, message.id).status == "sent", jobs, what="the third attempt")
    db.session.refresh(message)
    assert (message.status, message.attempts, message.error) == ("sent", 3, None)
    assert len(smtp.messages) == 1
    first, second, third = (at for at, _peer in smtp.attempts)
    assert second - first >= 0.2 and third - second >= 0.4  # 0.2 s × 2ⁿ


def test_after_the_last_attempt_the_outbox_says_failed_and_an_organiser_sends_it_again(app, client, auth, jobs, smtp, organiser):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    _org, ev = organiser
    smtp.refuse = ["550 5.1.1 Mailbox unavailable"] * 2
    mail = invite(client, ev)
    wait_until(lambda: db.session.get(OutboxMessage, mail.id).attempts == 2, jobs, what="the second attempt")
    db.session.refresh(mail)
    assert (mail.status, mail.attempts, mail.error) == ("failed", 2, "550 5.1.1 Mailbox unavailable")
    assert mail.next_attempt_at is None and smtp.messages == []
    page = outbox_page(client, ev, "es")
    assert "No enviado: 550 5.1.1 Mailbox unavailable" in page and "Enviar de nuevo" in page
    url = f"/es/manage/events/{ev.slug}/outbox/{mail.id}/send-again"
    # Organisers of this event only, and with the form's CSRF token.
    auth.logout()
    stranger = f.user()
    auth.login(stranger.email)
    assert client.post(url).status_code == 403
    auth.logout()
    auth.login(_org.email)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(url).status_code == 400
    token = re.search(r'name="csrf_token" value="([^"]+)"', outbox_page(client, ev)).group(1)
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    jobs.wait()
    db.session.refresh(mail)
    assert (mail.status, mail.attempts) == ("sent", 1)
    assert [m["Message-ID"] for m in smtp.messages] == [mail.message_id]
    assert client.post(url, data={"csrf_token": token}).status_code == 302  # already sent: said, not sent
    assert "Solo un mensaje que no pudo enviarse" in outbox_page(client, ev, "es")
    jobs.wait()
    assert len(smtp.messages) == 1


def test_a_failed_message_says_when_it_will_be_tried_next(client, organiser):
    _org, ev = organiser
    db.session.add(OutboxMessage(event_id=ev.id, recipient="a@example.org", subject="Hello", body="Body",
                                 status="failed", attempts=2, error="421 Try again later",
                                 next_attempt_at=utcnow() + timedelta(minutes=1)))
    db.session.commit()
    page = outbox_page(client, ev, "fr")
    assert "Non envoyé : 421 Try again later" in page and "Prochain essai" in page and "(essai 3 sur 6)" in page


def test_a_message_is_delivered_once_however_often_its_task_runs(app, jobs, smtp):
    smtp.hold = threading.Event()
    message = send_mail("delegate@example.org", "Once", "Only once.")
    db.session.commit()
    assert smtp.held.wait(30)  # the worker is in the middle of DATA
    busy = attempt(message.id)  # a second run of the task meanwhile
    assert busy.outcome == "busy" and busy.countdown > 200
    smtp.hold.set()
    jobs.wait()
    celery = app.extensions["celery"]
    for _ in range(2):
        celery.send_task("dialogue.deliver_mail", args=[message.id])
    jobs.wait()
    db.session.refresh(message)
    assert (message.status, message.attempts, len(smtp.attempts), len(smtp.messages)) == ("sent", 1, 1, 1)


def test_a_message_stuck_in_sending_is_sent_by_the_sweeper(app, jobs, smtp):
    """A worker killed mid-send leaves `sending`; once the timeout passes the sweeper sends it again."""
    message = OutboxMessage(recipient="delegate@example.org", subject="Stuck", body="Body", status="sending",
                            attempts=1, message_id="<outbox-stuck@example.org>",
                            last_attempt_at=utcnow() - timedelta(seconds=301))
    recent = OutboxMessage(recipient="other@example.org", subject="Busy", body="Body", status="sending",
                           attempts=1, message_id="<outbox-busy@example.org>", last_attempt_at=utcnow())
    db.session.add_all([message, recent])
    db.session.commit()
    app.extensions["celery"].send_task("dialogue.sweep_outbox")
    jobs.wait()
    db.session.refresh(message)
    db.session.refresh(recent)
    assert (message.status, message.attempts, recent.status) == ("sent", 2, "sending")
    assert [m["Message-ID"] for m in smtp.messages] == ["<outbox-stuck@example.org>"]


def test_outbox_flush_sends_what_is_waiting(app, runner, smtp):
    db.session.add_all([OutboxMessage(recipient="a@example.org", subject="A", body="Body", status="queued"),
                        OutboxMessage(recipient="b@example.org", subject="B", body="Body", status="sent"),
                        OutboxMessage(recipient="c@example.org", subject="C", body="Body", status="failed",
                                      attempts=1, error="421", next_attempt_at=utcnow() + timedelta(hours=1))])
    db.session.commit()
    result = runner.invoke(args=["outbox", "flush"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 waiting: 2 sent."
    assert sorted(m["To"] for m in smtp.messages) == ["a@example.org", "c@example.org"]
    assert all(m["Message-ID"].startswith("<outbox-") for m in smtp.messages)

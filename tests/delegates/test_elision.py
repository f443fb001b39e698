"""French elides "de" before a name that starts with a vowel sound: "la désignation d’Ana", "de Pedro"."""
import pytest
from sqlalchemy import select

from dialogue.delegates import services
from dialogue.extensions import db
from dialogue.models import OutboxMessage

from . import factories as df


@pytest.mark.parametrize("name,elided", [
    ("Ana Sánchez", True), ("Émilie Dupont", True), ("Hélène Roy", True), ("Yves Martin", True),
    ("Œdipe Roi", True), ("ana lópez", True), ("Pedro Soto", False), ("Yolanda Díaz", False),
    ("王丽", False), ("محمد العلي", False), ("", False)])
def test_elides(name, elided):
    assert services.elides(name) is elided


def flashes(client):
    with client.session_transaction() as s:
        return " ".join(message for _cat, message in s.get("_flashes", []))


def test_withdrawal_and_rejection_messages_elide_in_french_only(app, client, auth, organiser_event):
    org, ev = organiser_event
    user, d = df.focal_point(ev)
    user.locale = "fr"
    db.session.commit()
    ana = df.delegate(d, "Ana", "Sánchez")
    pedro = df.delegate(d, "Pedro", "Soto", gender="male")
    auth.login(user.email)
    client.post(f"/fr/events/{ev.slug}/delegations/{d.id}/delegates/{ana.id}/withdraw")
    assert "La désignation d’Ana Sánchez est retirée." in flashes(client)
    client.post(f"/es/events/{ev.slug}/delegations/{d.id}/delegates/{pedro.id}/withdraw")
    assert "La designación de Pedro Soto ha sido retirada." in flashes(client)

    eva = df.delegate(d, "Eva", "Ramos")
    luis = df.delegate(d, "Luis", "Vera", gender="male")
    auth.logout()
    auth.login(org.email)
    client.post(f"/fr/manage/events/{ev.slug}/delegates/{eva.id}/reject", data={"reason": "Hors délai."})
    assert "La désignation d’Eva Ramos est refusée." in flashes(client)
    client.post(f"/fr/manage/events/{ev.slug}/delegates/{luis.id}/reject", data={"reason": "Hors délai."})
    assert "La désignation de Luis Vera est refusée." in flashes(client)
    mails = {m.subject: m.body for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == user.email))}
    eva_mail = next(body for subject, body in mails.items() if subject.startswith("La désignation d’Eva RAMOS à"))
    assert "la désignation d’Eva RAMOS (" in eva_mail
    luis_mail = next(body for subject, body in mails.items() if subject.startswith("La désignation de Luis VERA à"))
    assert "la désignation de Luis VERA (" in luis_mail

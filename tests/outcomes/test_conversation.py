"""The conversation about a key message: its thread, the mails of its review, bulk approval, word counts and limits."""
import pytest
from sqlalchemy import select

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.models import OutboxMessage
from dialogue.outcomes import review, services
from dialogue.outcomes.models import KeyMessage, KeyMessageComment
from dialogue.permissions import PermissionDenied

from .. import factories as f
from . import factories as of


def _mails(to: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == to)
                                   .order_by(OutboxMessage.id)))


def test_rapporteur_and_organisers_talk_in_a_thread_kept_after_approval(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, status="submitted")
    url = f"/en/manage/events/{ev.slug}/key-messages/{message.id}/"
    auth.login(org.email)
    assert client.post(url, data={"body": ""}).status_code == 422
    assert client.post(url, data={"body": "Could you <b>cite</b> the source?"}).status_code == 302
    auth.logout()
    auth.login(rap.email)
    assert client.post(url, data={"body": "Added: ECLAC 2022."}).status_code == 302
    other = of.setting()[3]  # the rapporteur of another event's session
    services.approve_message(message, org)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Could you &lt;b&gt;cite&lt;/b&gt; the source?" in page and "Added: ECLAC 2022." in page
    assert [c.kind for c in db.session.get(KeyMessage, message.id).comments] == ["comment", "comment"]
    auth.logout()
    auth.login(other.email)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"body": "Intruder"}).status_code == 403
    with pytest.raises(PermissionDenied):
        review.add_comment(message, "Intruder", other)


def test_another_sessions_rapporteur_cannot_read_the_thread(app, client, auth):
    ev, s, org, rap = of.setting()
    other_session = f.session(ev, "WS1")
    neighbour = of.rapporteur(other_session)
    message = of.message(s, rap)
    auth.login(neighbour.email)
    assert client.get(f"/en/manage/events/{ev.slug}/key-messages/{message.id}/").status_code == 403


def test_submitting_mails_the_organisers_in_their_language_with_a_link_and_the_text(app):
    ev, s, org, rap = of.setting()
    org.locale = "fr"
    second = f.user(name="Second")
    grant_role(second, ev, "organiser")
    second.locale = "es"
    db.session.commit()
    of.message(s, rap, {"es": "Un texto previsible.\n\nUn segundo párrafo.", "fr": "Un texte prévisible.\n\nUn second paragraphe."},
               status="submitted")
    [to_org] = _mails(org.email)
    assert to_org.subject == "Message clé de la séance RD-LAC soumis pour examen"
    assert "> Un texte prévisible.\n\n> Un second paragraphe." in to_org.body
    assert f"http://localhost/fr/manage/events/{ev.slug}/key-messages/" in to_org.body
    [to_second] = _mails(second.email)
    assert "> Un texto previsible." in to_second.body and "/es/manage/" in to_second.body
    assert _mails(rap.email) == []


def test_a_submitting_organiser_is_not_mailed_about_their_own_message(app):
    ev, s, org, rap = of.setting()
    of.message(s, org, status="submitted")
    assert _mails(org.email) == []


def test_return_mail_is_in_the_rapporteurs_language_with_the_comment_and_the_message(app):
    ev, s, org, rap = of.setting()
    rap.locale = "es"
    db.session.commit()
    message = of.message(s, rap, status="submitted")
    services.return_message(message, "Acortar, por favor.", org)
    db.session.commit()
    [mail] = _mails(rap.email)
    assert mail.subject == "Se devolvió un mensaje clave de la sesión RD-LAC"
    assert "Acortar, por favor." in mail.body and "> Mensaje clave." in mail.body
    assert f"/es/manage/events/{ev.slug}/key-messages/{message.id}/" in mail.body


def test_already_reviewed_excerpts_keep_their_paragraphs(app, client, auth):
    ev, s, org, rap = of.setting()
    of.message(s, rap, {"fr": "Un texte prévisible.\n\nUn second paragraphe."}, original="fr", status="approved",
               reviewer=org)
    auth.login(org.email)
    page = client.get(f"/fr/manage/events/{ev.slug}/review").get_data(as_text=True)
    assert "<p>Un texte prévisible.</p><p>Un second paragraphe.</p>" in page
    assert "prévisible.Un second" not in page


def test_organiser_approves_the_selected_messages_at_once_each_checked(app, client, auth):
    ev, s, org, rap = of.setting()
    a = of.message(s, rap, {"es": "A."}, status="submitted")
    b = of.message(s, rap, {"es": "B."}, status="submitted")
    own = of.message(s, org, {"es": "Propio."}, status="submitted")
    draft = of.message(s, rap, {"es": "Borrador."})
    elsewhere_ev, elsewhere_s, elsewhere_org, elsewhere_rap = of.setting()
    foreign = of.message(elsewhere_s, elsewhere_rap, status="submitted")
    auth.login(org.email)
    page = client.get(f"/en/manage/events/{ev.slug}/review").get_data(as_text=True)
    assert f'name="messages" value="{a.id}" form="bulk-approve"' in page
    assert f'name="messages" value="{own.id}"' not in page
    response = client.post(f"/en/manage/events/{ev.slug}/review/approve",
                           data={"messages": [a.id, b.id, own.id, draft.id, foreign.id]}, follow_redirects=True)
    text = " ".join(response.get_data(as_text=True).split())
    assert "2 key messages are approved." in text
    assert "you wrote or changed its text" in text and "not submitted for review" in text
    db.session.expire_all()
    statuses = {m.id: db.session.get(KeyMessage, m.id).status for m in (a, b, own, draft, foreign)}
    assert statuses == {a.id: "approved", b.id: "approved", own.id: "submitted", draft.id: "draft",
                        foreign.id: "submitted"}


def test_bulk_approval_is_for_organisers_only(app, client, auth):
    ev, s, org, rap = of.setting()
    a = of.message(s, rap, status="submitted")
    auth.login(rap.email)
    assert client.post(f"/en/manage/events/{ev.slug}/review/approve", data={"messages": [a.id]}).status_code == 403
    db.session.expire_all()
    assert db.session.get(KeyMessage, a.id).status == "submitted"


def test_rapporteur_sees_word_counts_and_the_session_limit_is_enforced_in_their_language(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Cuatro palabras muy cortas.", "en": "Three short words."})
    auth.login(org.email)
    assert client.post(f"/en/manage/events/{ev.slug}/sessions/{s.code}/word-limit", data={"words": "5"}).status_code == 302
    assert client.post(f"/en/manage/events/{ev.slug}/sessions/{s.code}/word-limit",
                       data={"words": "-3"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(s), s.id).key_message_word_limit == 5
    auth.logout()
    auth.login(rap.email)
    listing = " ".join(client.get(f"/es/manage/events/{ev.slug}/key-messages/").get_data(as_text=True).split())
    assert "4 palabras" in listing and "3 palabras" in listing and "como máximo 5 palabras" in listing
    url = f"/es/manage/events/{ev.slug}/key-messages/{message.id}/edit"
    response = client.post(url, data={"original_language": "es", "text-es": "Seis palabras son demasiadas para esto.",
                                      "text-en": "Three short words.", "save": "1"})
    assert response.status_code == 422
    page = " ".join(response.get_data(as_text=True).split())
    assert "como máximo 5 palabras en cada idioma" in page and "tiene 6" in page
    assert "Seis palabras son demasiadas para esto." in page  # what was typed is kept


def test_a_return_posts_its_reason_in_the_thread(app):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, status="returned", reviewer=org)
    [comment] = db.session.scalars(select(KeyMessageComment).where(KeyMessageComment.message_id == message.id))
    assert (comment.kind, comment.body, comment.user_id) == ("return", "Please shorten.", org.id)

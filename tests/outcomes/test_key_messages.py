"""Rapporteurs draft key messages, organisers review them; revisions and conflicts."""
import re

import pytest
from sqlalchemy import select

from dialogue.auth import PermissionDenied
from dialogue.extensions import db
from dialogue.models import OutboxMessage
from dialogue.outcomes import services
from dialogue.outcomes.models import KeyMessage, SessionRapporteur

from .. import factories as f
from . import factories as of


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _approve(client, ev, message) -> int:
    """Press Approve on `message` as the signed-in user: the response's status (`message` is read again)."""
    status = client.post(f"/en/manage/events/{ev.slug}/key-messages/{message.id}/approve").status_code
    db.session.refresh(message)
    return status


def test_rapporteur_drafts_and_submits_a_message_in_spanish_with_csrf(app, client, auth):
    ev, s, org, rap = of.setting()
    app.config["WTF_CSRF_ENABLED"] = True
    login_page = client.get("/es/account/login").get_data(as_text=True)
    client.post("/es/account/login", data={"email": rap.email, "password": f.PASSWORD,
                                           "csrf_token": _csrf(login_page)})
    url = f"/es/manage/events/{ev.slug}/sessions/{s.code}/key-messages/new"
    page = client.get(url).get_data(as_text=True)
    data = {"original_language": "es", "text-es": "La cooperación **debe** ser eficaz.",
            "text-fr": "La coopération doit être efficace.", "text-en": "Co-operation must be effective.",
            "save_submit": "1"}
    assert client.post(url, data=data).status_code == 400  # no CSRF token
    response = client.post(url, data={**data, "csrf_token": _csrf(page)})
    assert response.status_code == 302
    message = db.session.scalar(select(KeyMessage))
    assert message.status == "submitted"
    assert message.original_language == "es"
    assert message.author_id == rap.id
    assert [r.action for r in message.revisions] == ["create", "submit"]


def test_rapporteur_cannot_touch_another_session(app, client, auth):
    ev, s, org, rap = of.setting()
    other = f.session(ev, "WS1")
    theirs = of.message(other, org)
    auth.login(rap.email)
    assert client.get(f"/en/manage/events/{ev.slug}/sessions/WS1/key-messages/new").status_code == 403
    assert client.post(f"/en/manage/events/{ev.slug}/key-messages/{theirs.id}/edit",
                       data={"original_language": "es", "text-es": "hack"}).status_code == 403
    assert client.get(f"/en/manage/events/{ev.slug}/key-messages/{theirs.id}/history").status_code == 403
    with pytest.raises(PermissionDenied):
        services.create_message(other, {"text": {"en": "x"}, "original_language": "en"}, rap)


def test_rapporteur_page_lists_only_their_sessions(app, client, auth):
    ev, s, org, rap = of.setting()
    f.session(ev, "WS1", title={"en": "Not mine"})
    auth.login(rap.email)
    page = client.get(f"/en/manage/events/{ev.slug}/key-messages/").get_data(as_text=True)
    assert "RD-LAC" in page
    assert "Not mine" not in page


def test_my_work_links_a_rapporteur_to_their_key_messages(app, client, auth):
    ev, s, org, rap = of.setting()
    auth.login(rap.email)
    page = client.get("/en/manage/").get_data(as_text=True)
    assert f'href="/en/manage/events/{ev.slug}/key-messages/"' in page
    assert "Key messages of RD-LAC" in page


def test_rapporteur_cannot_approve_their_own_message(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, status="submitted")
    auth.login(rap.email)
    assert _approve(client, ev, message) == 403
    assert message.status == "submitted"


def test_organiser_who_wrote_the_text_cannot_approve_it(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, org, status="submitted")
    auth.login(org.email)
    assert "another organiser must review it" in client.get(f"/en/manage/events/{ev.slug}/review").get_data(as_text=True)
    assert _approve(client, ev, message) == 403
    assert message.status == "submitted"
    other = of.organiser(ev)
    services.approve_message(message, other)
    assert message.status == "approved"


def test_organiser_who_only_adds_translations_may_still_approve(app, client, auth):
    """A secretariat translating a submitted message in-house has not authored its original text."""
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Solo en español."}, status="submitted")
    auth.login(org.email)
    url = f"/en/manage/events/{ev.slug}/key-messages/{message.id}/edit"
    response = client.post(url, data={"original_language": "es", "text-es": "Solo en español.",
                                      "text-fr": "Seulement en espagnol.", "text-en": "Only in Spanish.",
                                      "version": message.version, "save": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    message = db.session.get(KeyMessage, message.id)
    assert message.status == "submitted"
    assert org.id not in services.text_authors(message)
    page = client.get(f"/en/manage/events/{ev.slug}/review").get_data(as_text=True)
    assert "another organiser must review it" not in page
    assert _approve(client, ev, message) == 302
    assert message.status == "approved"


def test_organiser_who_changed_the_original_text_still_cannot_approve(app):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Texto."}, status="submitted")
    services.save_message(message, {"text": {"es": "Texto corregido.", "en": "Corrected text."},
                                    "original_language": "es", "position": message.position}, org, message.version)
    services.save_message(message, {"text": {"es": "Texto corregido.", "en": "Text, corrected."},
                                    "original_language": "es", "position": message.position}, org, message.version)
    with pytest.raises(PermissionDenied):
        services.approve_message(message, org)
    # Switching the original language to the one the organiser wrote is authoring too.
    other = of.organiser(ev)
    message2 = of.message(s, rap, {"es": "Texto."}, status="submitted")
    services.save_message(message2, {"text": {"es": "Texto.", "fr": "Texte."}, "original_language": "fr",
                                     "position": message2.position}, other, message2.version)
    with pytest.raises(PermissionDenied):
        services.approve_message(message2, other)


def test_organiser_who_rewrites_approved_text_sends_it_to_another_organiser(app):
    """Approved text rewritten by an organiser is not approved by its new author; a translation changed after
    approval goes back to review with a note in the thread, for another organiser to look at (four eyes)."""
    ev, s, org, rap = of.setting()
    other = of.organiser(ev)
    message = of.message(s, rap, {"es": "Texto."}, status="approved", reviewer=other)
    services.save_message(message, {"text": {"es": "Texto.", "en": "Text."}, "original_language": "es",
                                    "position": message.position}, org, message.version)
    assert message.status == "submitted"
    note = message.comments[-1]
    assert note.kind == "note" and "inglés" in note.body and note.user_id == org.id
    with pytest.raises(PermissionDenied, match="changed a translation"):
        services.approve_message(message, org)
    services.approve_message(message, other)
    assert message.status == "approved"
    services.save_message(message, {"text": {"es": "Texto reescrito.", "en": "Text."}, "original_language": "es",
                                    "position": message.position}, org, message.version)
    assert message.status == "submitted"
    with pytest.raises(PermissionDenied, match="original text"):
        services.approve_message(message, org)
    services.approve_message(message, other)
    assert message.status == "approved"


def test_the_only_organiser_approves_their_own_translation_change_and_is_told_so(app, client, auth):
    ev, s, org, rap = of.setting()
    second = of.organiser(ev, name="Second organiser")
    message = of.message(s, rap, {"es": "Texto."}, status="approved", reviewer=org)
    services.save_message(message, {"text": {"es": "Texto.", "en": "Text."}, "original_language": "es",
                                    "position": message.position}, org, message.version)
    db.session.commit()
    auth.login(org.email)
    page = client.get(f"/en/manage/events/{ev.slug}/review").get_data(as_text=True)
    assert "another organiser must look at the change" in page
    assert f'action="/en/manage/events/{ev.slug}/key-messages/{message.id}/approve"' not in page
    response = client.post(f"/en/manage/events/{ev.slug}/review/approve", data={"messages": [message.id]})
    assert "another organiser looks at it" in client.get(response.headers["Location"]).get_data(as_text=True)
    # With the second organiser gone (inactive), the first is the only one: they may, and are told.
    second.active = False
    db.session.commit()
    page = client.get(f"/en/manage/events/{ev.slug}/review").get_data(as_text=True)
    assert "you are the only organiser of this event: approving it, you approve your own change" in page
    assert _approve(client, ev, message) == 302
    assert message.status == "approved"


def test_organiser_returns_a_message_with_a_comment_and_the_rapporteur_is_told(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, status="submitted")
    auth.login(org.email)
    url = f"/en/manage/events/{ev.slug}/key-messages/{message.id}/return"
    client.post(url, data={"comment": ""})
    db.session.refresh(message)
    assert message.status == "submitted"
    client.post(url, data={"comment": "Please cite the data source."})
    db.session.refresh(message)
    assert message.status == "returned"
    assert [(c.kind, c.body) for c in message.comments] == [("return", "Please cite the data source.")]
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == rap.email))
    assert "Please cite the data source." in mail.body
    assert f"/manage/events/{ev.slug}/key-messages/{message.id}/" in mail.body
    assert "> Mensaje clave." in mail.body or "> Key message." in mail.body
    auth.logout()
    auth.login(rap.email)
    page = client.get(f"/en/manage/events/{ev.slug}/key-messages/").get_data(as_text=True)
    assert "Please cite the data source." in page
    assert "Please cite the data source." in client.get(
        f"/en/manage/events/{ev.slug}/key-messages/{message.id}/edit").get_data(as_text=True)


def test_editing_an_approved_message_sends_it_back_to_review(app):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, status="approved", reviewer=org)
    services.save_message(message, {"text": {**message.text, "es": "Otro texto."}, "original_language": "es",
                                    "position": message.position}, rap, message.version)
    assert message.status == "draft"


def test_every_revision_is_kept_and_can_be_compared(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Primera frase. Segunda frase."})
    services.save_message(message, {"text": {"es": "Primera frase. Segunda frase corregida."},
                                    "original_language": "es", "position": 1}, rap, message.version)
    db.session.commit()
    assert [r.number for r in message.revisions] == [1, 2]
    auth.login(rap.email)
    page = client.get(f"/en/manage/events/{ev.slug}/key-messages/{message.id}/history?a=1&b=2").get_data(as_text=True)
    assert "<del>Segunda frase.</del>" in page
    assert "<ins>Segunda frase corregida.</ins>" in page
    assert "Rapporteur" in page


def test_two_people_saving_at_once_lose_nothing(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Texto inicial."})
    version = message.version
    url = f"/en/manage/events/{ev.slug}/key-messages/{message.id}/edit"
    auth.login(rap.email)
    first = client.post(url, data={"original_language": "es", "text-es": "Versión de la relatora.",
                                   "version": version, "save": "1"})
    assert first.status_code == 302
    auth.logout()
    auth.login(org.email)
    second = client.post(url, data={"original_language": "es", "text-es": "Versión del organizador.",
                                    "version": version, "save": "1"})
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Someone else saved this message" in page
    assert "Versión de la relatora." in page  # the saved text, to compare
    assert "Versión del organizador." in page  # their own text, kept in the form
    db.session.expire_all()
    assert db.session.get(KeyMessage, message.id).text == {"es": "Versión de la relatora."}
    new_version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1)
    merged = client.post(url, data={"original_language": "es", "text-es": "Versión combinada.",
                                     "version": new_version, "save": "1"})
    assert merged.status_code == 302
    db.session.expire_all()
    assert db.session.get(KeyMessage, message.id).text == {"es": "Versión combinada."}


def test_stale_write_between_read_and_flush_is_a_conflict(app):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap)
    with db.engine.begin() as conn:  # another worker commits behind our back
        conn.execute(KeyMessage.__table__.update().where(KeyMessage.id == message.id)
                     .values(version=message.version + 1))
    from sqlalchemy.orm.exc import StaleDataError
    message.text = {"es": "cambio"}
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_key_message_markup_is_sanitised_and_escaped(app, client, auth):
    ev, s, org, rap = of.setting()
    of.message(s, rap, {"es": 'Uno <script>alert(1)</script> <img src="file:///etc/passwd" onerror="x()"> '
                                        '<a href="http://127.0.0.1:9/">enlace</a> *énfasis*\n\n- a\n- b'})
    auth.login(rap.email)
    page = client.get(f"/es/manage/events/{ev.slug}/key-messages/").get_data(as_text=True)
    assert "<script>alert" not in page and "<img" not in page and 'href="http://127.0.0.1:9/"' not in page
    assert "<em>énfasis</em>" in page
    assert "<ul><li>a</li><li>b</li></ul>" in page


def test_organiser_assigns_a_rapporteur_who_gets_an_invitation(app, client, auth):
    ev, s, org, rap = of.setting()
    auth.login(org.email)
    response = client.post(f"/fr/manage/events/{ev.slug}/rapporteurs",
                           data={"session": s.id, "email": "New.Rap@example.org", "name": "Ana", "language": "es"})
    assert response.status_code == 302
    link = db.session.scalar(select(SessionRapporteur).where(SessionRapporteur.session_id == s.id)
                             .order_by(SessionRapporteur.id.desc()).limit(1))
    assert link.user.email == "new.rap@example.org"
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "new.rap@example.org"))
    assert "/es/account/set-password/" in mail.body
    assert f"/es/manage/events/{ev.slug}/key-messages/" in mail.body
    again = client.post(f"/fr/manage/events/{ev.slug}/rapporteurs",
                        data={"session": s.id, "email": "new.rap@example.org", "language": "es"})
    assert again.status_code == 422


def test_only_organisers_manage_rapporteurs_and_the_document(app, client, auth):
    ev, s, org, rap = of.setting()
    auth.login(rap.email)
    for url in ("rapporteurs", "review", "outcome/", "outcome/translations", "outcome/preview"):
        assert client.get(f"/en/manage/events/{ev.slug}/{url}").status_code == 403
    auth.logout()
    assert client.get(f"/en/manage/events/{ev.slug}/key-messages/").status_code == 302  # to the sign-in page


def test_themes_must_line_up_across_languages(app):
    ev, s, org, rap = of.setting()
    with pytest.raises(services.OutcomeError):
        services.set_themes(ev, {"en": "Governance\nFinance", "es": "Gobernanza"}, org)
    themes = services.set_themes(ev, {"en": "Governance\nFinance", "es": "Gobernanza\nFinanzas"}, org)
    assert [t.title for t in themes] == [{"en": "Governance", "es": "Gobernanza"}, {"en": "Finance", "es": "Finanzas"}]


def test_review_page_query_count_does_not_grow_with_messages(app, client, auth, count_queries):
    ev, s, org, rap = of.setting()
    auth.login(org.email)

    def count():
        with count_queries() as counter:
            assert client.get(f"/en/manage/events/{ev.slug}/review").status_code == 200
        return counter.count
    of.message(s, rap, status="submitted")
    few = count()
    for _ in range(10):
        of.message(s, rap, status="submitted")
    assert count() == few


def test_rapporteur_deletes_a_draft_but_not_an_approved_message(app, client, auth):
    ev, s, org, rap = of.setting()
    draft = of.message(s, rap)
    reviewer = of.organiser(ev)
    approved = of.message(s, rap, status="approved", reviewer=reviewer)
    draft_id, approved_id = draft.id, approved.id
    auth.login(rap.email)
    assert client.post(f"/en/manage/events/{ev.slug}/key-messages/{approved_id}/delete").status_code == 403
    assert client.post(f"/en/manage/events/{ev.slug}/key-messages/{draft_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(KeyMessage, draft_id) is None
    assert db.session.get(KeyMessage, approved_id) is not None


FORMS = [
    # (who, page to get the token from, url to post, data)
    ("rap", "key-messages/", "key-messages/{m}/submit", {}),
    ("rap", "key-messages/{m}/edit", "key-messages/{m}/edit", {"original_language": "es", "text-es": "Nuevo.",
                                                               "text-fr": "Nouveau.", "text-en": "New.", "save": "1"}),
    ("rap", "key-messages/{m}/", "key-messages/{m}/", {"body": "¿Más corto?"}),
    ("org", "review", "review/approve", {"messages": "{m}"}),
    ("org", "rapporteurs", "sessions/RD-LAC/word-limit", {"words": "200"}),
    ("rap", "key-messages/{m}/edit", "key-messages/{m}/delete", {}),
    ("org", "review", "key-messages/{m}/approve", {}),
    ("org", "review", "key-messages/{m}/return", {"comment": "Más corto."}),
    ("org", "rapporteurs", "rapporteurs", {"session": "{s}", "email": "x@example.org", "language": "en"}),
    ("org", "rapporteurs", "themes", {"themes-en": "Governance"}),
    ("org", "outcome/", "outcome/", {"symbol": "A/1", "title-en": "Outcome", "original_language": "en",
                                      "grouping": "session"}),
    ("org", "outcome/translations", "outcome/translations", {"save_choice": "1"}),
]


@pytest.mark.parametrize("who,page,url,data", FORMS, ids=[f[2].replace("{m}", "m") for f in FORMS])
def test_every_form_needs_its_csrf_token(app, client, auth, who, page, url, data):
    ev, s, org, rap = of.setting()
    reviewer = of.organiser(ev)
    m = of.message(s, rap, status="submitted" if who == "org" else "draft")
    app.config["WTF_CSRF_ENABLED"] = True
    user = reviewer if who == "org" else rap
    login_page = client.get("/en/account/login").get_data(as_text=True)
    client.post("/en/account/login", data={"email": user.email, "password": f.PASSWORD,
                                           "csrf_token": _csrf(login_page)})
    base = f"/en/manage/events/{ev.slug}/"
    data = {k: v.format(s=s.id, m=m.id) for k, v in data.items()}
    target = base + url.format(m=m.id)
    assert client.post(target, data=data).status_code == 400
    token = _csrf(client.get(base + page.format(m=m.id)).get_data(as_text=True))
    response = client.post(target, data={**data, "csrf_token": token})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]


def test_new_message_form_starts_in_the_language_of_the_sessions_messages(app, client, auth):
    """The session is French but its rapporteur writes in Spanish: the form must not default to French."""
    ev, s, org, rap = of.setting()
    s.original_language = "fr"
    db.session.commit()
    auth.login(rap.email)
    url = f"/es/manage/events/{ev.slug}/sessions/{s.code}/key-messages/new"
    first = client.get(url).get_data(as_text=True)
    assert '<option selected value="fr">' in first
    assert "the other two boxes" not in first and "las otras dos casillas" in first
    of.message(s, rap, original="es")
    page = client.get(url).get_data(as_text=True)
    assert '<option selected value="es">' in page


def test_order_puts_a_message_at_that_place_and_moves_the_others(app):
    ev, s, org, rap = of.setting()
    a, b, c = (of.message(s, rap, {"es": t}) for t in ("A.", "B.", "C."))
    d = services.create_message(s, {"text": {"es": "D."}, "original_language": "es", "position": 1}, rap)
    db.session.commit()
    assert [m.text["es"] for m in services.session_messages(s)] == ["D.", "A.", "B.", "C."]
    assert [m.position for m in services.session_messages(s)] == [1, 2, 3, 4]
    version_of_b = b.version
    services.save_message(a, {"text": a.text, "original_language": "es", "position": 4}, rap, a.version)
    db.session.commit()
    db.session.expire_all()
    assert [m.text["es"] for m in services.session_messages(s)] == ["D.", "B.", "C.", "A."]
    assert db.session.get(KeyMessage, b.id).version == version_of_b  # no conflict for whoever edits B
    assert d.position == 1


def test_moving_an_approved_message_keeps_it_approved(app):
    ev, s, org, rap = of.setting()
    first = of.message(s, rap, {"es": "Uno."})
    message = of.message(s, rap, {"es": "Dos."}, status="approved", reviewer=org)
    services.save_message(message, {"text": message.text, "original_language": "es", "position": 1}, rap,
                          message.version)
    db.session.commit()
    assert message.status == "approved" and message.position == 1 and first.position == 2


def test_saving_and_submitting_an_edit_says_it_was_submitted(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Texto."}, status="returned", reviewer=org)
    auth.login(rap.email)
    url = f"/en/manage/events/{ev.slug}/key-messages/{message.id}/edit"
    response = client.post(url, data={"original_language": "es", "text-es": "Texto corregido.",
                                      "version": message.version, "save_submit": "1"}, follow_redirects=True)
    assert "The key message is saved and submitted for review." in response.get_data(as_text=True)


def test_history_compares_the_last_change_of_the_text_by_default(app, client, auth):
    """After edit then submit, the default comparison is not submit against edit (which shows no change)."""
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Primera frase."}, status="returned", reviewer=org)
    services.save_message(message, {"text": {"es": "Frase corregida."}, "original_language": "es",
                                    "position": message.position}, rap, message.version)
    services.submit_message(message, rap)
    db.session.commit()
    auth.login(rap.email)
    page = client.get(f"/en/manage/events/{ev.slug}/key-messages/{message.id}/history").get_data(as_text=True)
    assert "<del>Primera frase.</del>" in page and "<ins>Frase corregida.</ins>" in page


def test_conflict_says_who_saved_and_which_languages_differ(app, client, auth):
    """A form that does not say which revision it started from gets no merge: every difference is shown."""
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Texto.", "en": "Text."})
    version = message.version
    services.save_message(message, {"text": {"es": "Texto.", "en": "The text."}, "original_language": "es",
                                    "position": message.position}, org, version)
    db.session.commit()
    auth.login(rap.email)
    response = client.post(f"/en/manage/events/{ev.slug}/key-messages/{message.id}/edit",
                           data={"original_language": "es", "text-es": "Texto nuevo.", "text-en": "Text.",
                                 "version": version, "save": "1"})
    assert response.status_code == 409
    page = " ".join(response.get_data(as_text=True).split())
    assert "Saved by Organiser on" in page and "(edited)" in page
    assert page.count("paragraph changed by both of you") == 2  # Spanish and English; French is in neither


def test_rapporteur_is_told_an_edit_withdrew_the_message_from_review(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Texto."}, status="submitted")
    auth.login(rap.email)
    response = client.post(f"/en/manage/events/{ev.slug}/key-messages/{message.id}/edit",
                           data={"original_language": "es", "text-es": "Texto corregido.",
                                 "version": message.version, "save": "1"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "saved as a draft, since its text changed: submit it again for review." in page
    assert "Submit for review" in page


def test_conflict_after_a_review_says_the_message_was_approved_meanwhile(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Texto."}, status="submitted")
    version = message.version
    services.approve_message(message, org)
    db.session.commit()
    auth.login(rap.email)
    response = client.post(f"/en/manage/events/{ev.slug}/key-messages/{message.id}/edit",
                           data={"original_language": "es", "text-es": "Texto nuevo.", "version": version,
                                 "save": "1"})
    assert response.status_code == 409
    page = " ".join(response.get_data(as_text=True).split())
    assert "Saved by Organiser on" in page and "(approved)" in page

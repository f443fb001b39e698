"""Test data for key messages and the outcome document, built through the real services."""
from __future__ import annotations

from sqlalchemy import select

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.outcomes import document as outcome
from dialogue.outcomes import services
from dialogue.outcomes.jobs import request_publication
from dialogue.outcomes.models import Publication, SessionRapporteur

from .. import factories as f

T3 = {"fr": "Texte", "es": "Texto", "en": "Text"}
NEXT_STEPS = {"es": "Presentar los mensajes.", "fr": "Présenter les messages.", "en": "Present the messages."}


def rapporteur(session, user=None):
    """A user who is rapporteur of `session`."""
    user = user or f.user(name="Rapporteur")
    grant_role(user, session.event, "rapporteur")
    db.session.add(SessionRapporteur(user=user, session=session))
    db.session.commit()
    return user


def setting(**kw):
    """An event with an organiser, a second organiser, and a session with its rapporteur."""
    org = f.user(name="Organiser")
    ev = f.event(organiser=org, **kw)
    s = f.session(ev, "RD-LAC", kind="regional_dialogue",
                  title={"fr": "Dialogue régional", "es": "Diálogo regional", "en": "Regional dialogue"},
                  original_language="es")
    rap = rapporteur(s)
    return ev, s, org, rap


def organiser(ev, **user):
    """Another organiser of `ev`: the second pair of eyes, who may approve what the first one wrote."""
    other = f.user(**user)
    grant_role(other, ev, "organiser")
    db.session.commit()
    return other


def message(session, by, text=None, *, original="es", status="draft", reviewer=None, themes=()):
    """A key message, moved through the review up to `status`."""
    m = services.create_message(session, {"text": text or {"es": "Mensaje clave.", "fr": "Message clé.",
                                                           "en": "Key message."},
                                          "original_language": original, "themes": list(themes)}, by)
    if status in ("submitted", "approved", "returned"):
        services.submit_message(m, by)
    if status == "approved":
        services.approve_message(m, reviewer)
    if status == "returned":
        services.return_message(m, "Please shorten.", reviewer)
    db.session.commit()
    return m


def reviewed(*texts, **kw):
    """`setting()` with a second organiser, "Reviewer", who approved a key message of each of `texts`, written by
    the rapporteur: (ev, s, org, rap, reviewer)."""
    ev, s, org, rap = setting(**kw)
    reviewer = organiser(ev, name="Reviewer")
    for text in texts:
        message(s, rap, text, status="approved", reviewer=reviewer)
    return ev, s, org, rap, reviewer


def document(ev, by, **data):
    doc = outcome.get_or_create_document(ev)
    base = {"symbol": "ECS/2022/1", "title": {"fr": "Document final", "es": "Documento final",
                                               "en": "Outcome document"},
            "place": {"fr": "Genève", "es": "Ginebra", "en": "Geneva"}, "issued_on": ev.ends_on,
            "original_language": "es", "grouping": "session", "session_ids": [],
            "preamble": {"fr": "Nous, participants, adoptons ce qui suit.", "es": "Nosotros, participantes, adoptamos lo siguiente.",
                         "en": "We, the participants, adopt the following."},
            "recommendations": {}, "next_steps": {}}
    base.update(data)
    outcome.save_document(doc, base, by)
    db.session.commit()
    return doc


def publish(doc, by, jobs):
    """Press Publish as `by` would (the check, then the job) and wait for the worker; the new version's rows."""
    job = request_publication(doc, by)
    db.session.commit()
    jobs.wait()
    db.session.expire_all()
    assert job.status == "done", (job.status, job.error, job.error_detail)
    version = db.session.scalar(select(Publication.version).where(Publication.document_id == doc.id)
                                .order_by(Publication.version.desc()).limit(1))
    return list(db.session.scalars(select(Publication).where(Publication.document_id == doc.id,
                                                             Publication.version == version)))


def edit_document(doc, by, **changes):
    """Change parts of the document as its form does (through the service, which records what each
    translation was made from); recommendations and next steps as lists of {lang: text} items."""
    data = {"symbol": doc.symbol, "title": doc.title, "place": doc.place, "issued_on": doc.issued_on,
            "original_language": doc.original_language, "grouping": doc.grouping, "session_ids": doc.session_ids,
            "preamble": doc.preamble, "recommendations": doc.recommendations, "next_steps": doc.next_steps,
            **changes}
    for field in ("recommendations", "next_steps"):
        if isinstance(data[field], list):
            data[field] = outcome.joined(data[field])
    outcome.save_document(doc, data, by)
    db.session.commit()
    return doc

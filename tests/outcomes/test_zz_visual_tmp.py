"""Throwaway: DOCX files to look at (not committed)."""
import pathlib

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.outcomes import document as outcome
from dialogue.outcomes import versions, word

from .. import factories as f
from . import factories as of
from .test_word import MESSAGES


def test_make_docx(app):
    ev, s, org, rap = of.setting()
    reviewer = f.user(name="Reviewer")
    grant_role(reviewer, ev, "organiser")
    db.session.commit()
    for text in MESSAGES + [{"es": "Tres pasos:\n\n1. primero\n2. segundo\n3. tercero", "fr": "Trois étapes : \n\n1. d'abord\n2. ensuite\n3. enfin", "en": "Three steps:\n\n1. first\n2. second\n3. third"}]:
        of.message(s, rap, text, status="approved", reviewer=reviewer)
    of.message(s, rap, {"fr": "Un paragraphe en français seulement ; n'est-ce pas ?"}, original="fr", status="approved", reviewer=reviewer)
    doc = of.document(ev, org, recommendations={"es": "Recomendamos A.\n\nRecomendamos B.", "fr": "Nous recommandons A.\n\nNous recommandons B.", "en": "We recommend A.\n\nWe recommend B."},
                      next_steps={"es": "Presentar los mensajes.", "fr": "Présenter les messages.", "en": "Present the messages."})
    comp = outcome.compose(doc)
    out = pathlib.Path("/tmp/out11_docx")
    for lang in ("fr", "es", "en"):
        edition = versions.Edition("ECS/2022/1/Rev.1", "Rev.1", "ECS/2022/1", ev.ends_on)
        (out / f"doc-{lang}.docx").write_bytes(word.render_docx(comp, lang, edition))

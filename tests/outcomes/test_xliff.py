"""XLIFF 2.0 round trip of the outcome document through translate-toolkit: export, translate by a script,
import, publish; and the refusals of stale, foreign and unknown units."""
import copy
import io
import re
import shutil
import subprocess

import pytest
from sqlalchemy import select
from translate.storage.xliff2 import Xliff2File

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.models import AuditEntry
from dialogue.outcomes import services
from dialogue.outcomes.models import KeyMessage, KeyMessageRevision

from .. import factories as f
from . import factories as of

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

MESSAGES = [
    {"es": "La cooperación debe apoyarse en los sistemas *nacionales*.", "fr": "La coopération nationale.",
     "en": "Co-operation should rely on national systems."},
    {"es": "Los datos abiertos mejoran la rendición de cuentas.", "fr": "Les données ouvertes.",
     "en": "Open data improve accountability."},
]


@pytest.fixture
def ready(app, jobs):
    ev, s, org, rap = of.setting()
    reviewer = f.user(name="Reviewer")
    grant_role(reviewer, ev, "organiser")
    db.session.commit()
    messages = [of.message(s, rap, text, status="approved", reviewer=reviewer) for text in MESSAGES]
    doc = of.document(ev, org, next_steps={"es": "Presentar los mensajes.", "fr": "Présenter les messages.",
                                           "en": "Present the messages."})
    return ev, doc, org, messages


def _export(client, ev, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/en/manage/events/{ev.slug}/outcome/translation.xlf?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/xliff+xml"
    return response.data


def _import(client, ev, data: bytes, lang="en"):
    return client.post(f"/{lang}/manage/events/{ev.slug}/outcome/translation-files",
                       data={"file": (io.BytesIO(data), "translated.xlf"), "upload": "1"},
                       content_type="multipart/form-data")


def translate(data: bytes, texts: dict) -> bytes:
    """What a translator's tool does: fill the targets, through translate-toolkit."""
    store = Xliff2File.parsestring(data)
    for unit in store.units:
        if unit.getid() in texts:
            unit.target = texts[unit.getid()]
            unit.marktranslated()
    return bytes(store)


def test_export_translate_import_publish_round_trip(ready, client, auth, jobs):
    ev, doc, org, messages = ready
    auth.login(org.email)
    assert "Translation files (XLIFF)" in client.get(f"/en/manage/events/{ev.slug}/outcome/").get_data(as_text=True)
    exported = _export(client, ev, source="es", target="en", scope="document")
    store = Xliff2File.parsestring(exported)
    assert store.sourcelanguage == "es" and store.gettargetlanguage() == "en"
    units = {u.getid(): u for u in store.units}
    first, second = (f"km-{m.id}" for m in messages)
    heading = f"heading-session-{messages[0].session_id}"
    assert list(units) == ["title", "place", "preamble", heading, first, second, "next_steps-1"]
    assert units[first].source == "La cooperación debe apoyarse en los sistemas nacionales."  # the text, codes aside
    assert units[first].target == MESSAGES[0]["en"]
    xml = exported.decode()
    assert re.search(rf'<unit id="{first}">\s*<notes>\s*<note category="location">Paragraph 1 \(RD-LAC\) · I\. Diálogo regional</note>', xml)
    # The *emphasis* of paragraph 1 is an XLIFF 2 inline code, not asterisks to keep.
    assert '<pc id="1" type="fmt" subType="xlf:i">nacionales</pc>' in xml and "*nacionales*" not in xml
    new = {first: "Co-operation must rest on *national* systems, says the new text.",
           second: "Open data strengthen accountability, says the new text.",
           "next_steps-1": "Present the key messages to the plenary."}
    response = _import(client, ev, translate(exported, new))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "3 translations imported" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    message = db.session.get(KeyMessage, messages[0].id)
    assert message.text["en"] == new[first] and message.text["es"] == MESSAGES[0]["es"]
    # A translation changed after approval goes back for a second look (issue 11), even an organiser's.
    assert message.status == "submitted"
    last = db.session.scalars(select(KeyMessageRevision).where(KeyMessageRevision.message_id == message.id)
                              .order_by(KeyMessageRevision.number.desc())).first()
    assert last.user_id == org.id and last.text["en"] == new[first]
    # The importer changed the translations: another organiser looks at them (four eyes).
    reviewer = next(r.user for r in message.revisions if r.action == "approve")
    for m in messages:
        services.approve_message(db.session.get(KeyMessage, m.id), reviewer)
    db.session.commit()
    of.publish(doc, org, jobs)
    pdf = client.get(f"/en/events/{ev.slug}/outcome.pdf").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = " ".join(text.replace("\u2010\n", "").split())
    assert re.findall(r"^(\d+)\.\s", text, re.M) == ["1", "2", "3"]
    assert "1. Co-operation must rest on national systems, says the new text." in flat
    assert "2. Open data strengthen accountability, says the new text." in flat
    assert "3. Present the key messages to the plenary." in flat


def test_a_file_whose_source_changed_since_export_is_refused_naming_the_unit(ready, client, auth):
    ev, doc, org, messages = ready
    auth.login(org.email, lang="fr")
    exported = _export(client, ev, source="es", target="en", scope="document")
    of.edit_document(doc, org, next_steps=[{"es": "Presentar otra cosa.", "fr": "Présenter autre chose.", "en": "Present something else."}])
    response = _import(client, ev, translate(exported, {f"km-{messages[0].id}": "Changed."}), lang="fr")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Rien n’a été importé" in page and "le texte en espagnol de ces parties a changé" in page
    assert "Paragraphe 3 · II. Prochaines étapes (unité « next_steps-1 »)" in page
    assert "Exportez un nouveau fichier" in page
    assert f"km-{messages[0].id}" not in page.split("Rien n’a été importé")[1].split("Exportez")[0]  # unchanged: not named
    db.session.expire_all()
    assert db.session.get(KeyMessage, messages[0].id).text["en"] == MESSAGES[0]["en"]  # all or nothing


def test_foreign_files_and_units_are_refused(ready, client, auth):
    ev, doc, org, messages = ready
    auth.login(org.email)
    exported = _export(client, ev, source="es", target="fr", scope="document")
    foreign = exported.replace(f'id="dialogue-outcome-{doc.id}"'.encode(), b'id="dialogue-outcome-999"')
    page = _import(client, ev, foreign).get_data(as_text=True)
    assert "was not exported from this outcome document" in page
    store = Xliff2File.parsestring(exported)
    stranger = store.addsourceunit("Texto ajeno.")
    stranger.setid("km-999999")
    response = _import(client, ev, bytes(store))
    assert response.status_code == 422 and "“km-999999” does not belong to this document" in response.get_data(as_text=True)
    store = Xliff2File.parsestring(exported)
    bad = store.addsourceunit("x")
    bad.setid("evil-1")
    assert "“evil-1” does not belong" in _import(client, ev, bytes(store)).get_data(as_text=True)
    for junk in (b"not xml", b"<xliff version='1.2'/>", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"):
        response = _import(client, ev, junk)
        assert response.status_code == 422 and "This is not an XLIFF 2 file" in response.get_data(as_text=True)


def test_chosen_key_messages_only_including_drafts(ready, client, auth):
    ev, doc, org, messages = ready
    draft = of.message(messages[0].session, org, {"fr": "Un brouillon."}, original="fr")
    auth.login(org.email)
    exported = _export(client, ev, source="fr", target="es", scope="messages", messages=draft.id)
    units = list(Xliff2File.parsestring(exported).units)
    assert [u.getid() for u in units] == [f"km-{draft.id}"]
    assert "Key message (not in the document)" in exported.decode()
    response = _import(client, ev, translate(exported, {f"km-{draft.id}": "Un borrador."}))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(KeyMessage, draft.id).text == {"fr": "Un brouillon.", "es": "Un borrador."}


def test_translation_files_page_in_three_languages_and_only_for_organisers(ready, client, auth):
    ev, doc, org, messages = ready
    assert client.get(f"/en/manage/events/{ev.slug}/outcome/translation-files").status_code in (302, 401, 403, 404)
    auth.login(org.email)
    for lang, words in (("fr", "Fichiers de traduction (XLIFF)"), ("es", "Archivos de traducción (XLIFF)"),
                        ("en", "Translation files (XLIFF)")):
        page = client.get(f"/{lang}/manage/events/{ev.slug}/outcome/translation-files")
        assert page.status_code == 200 and words in page.get_data(as_text=True)
    same = client.get(f"/en/manage/events/{ev.slug}/outcome/translation.xlf?source=es&target=es")
    assert same.status_code == 422 and "Choose two different languages." in same.get_data(as_text=True)


def test_translation_files_page_loads_in_a_fixed_number_of_queries(ready, client, auth, count_queries):
    ev, doc, org, messages = ready
    auth.login(org.email)
    url = f"/en/manage/events/{ev.slug}/outcome/translation-files"

    def count():
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count
    count()
    few = count()
    for i in range(4):
        of.message(messages[0].session, org, {"en": f"Another message {i}."}, original="en")
    count()  # the test's own commits expired the signed-in user: the first request reloads it
    assert count() == few


def _translate_rich(elem, words: dict):
    """A translator's tool at work on a unit with inline codes: the text changes, the codes stay."""
    for i, sub in enumerate(elem.sub):
        if isinstance(sub, str):
            elem.sub[i] = words.get(sub, sub)
        else:
            _translate_rich(sub, words)


def test_emphasis_round_trips_as_inline_codes_through_translate_toolkit(ready, client, auth):
    ev, doc, org, messages = ready
    auth.login(org.email)
    store = Xliff2File.parsestring(_export(client, ev, source="es", target="fr", scope="document"))
    unit = next(u for u in store.units if u.getid() == f"km-{messages[0].id}")
    rich = copy.deepcopy(unit.rich_source)
    _translate_rich(rich[0], {"La cooperación debe apoyarse en los sistemas ": "La coopération doit reposer sur les "
                              "systèmes ", "nacionales": "nationaux"})
    unit.rich_target = rich
    assert '<target>La coopération doit reposer sur les systèmes <pc id="1" type="fmt" subType="xlf:i">nationaux</pc>.' \
        in bytes(store).decode()
    response = _import(client, ev, bytes(store))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    text = db.session.get(KeyMessage, messages[0].id).text["fr"]
    assert text == "La coopération doit reposer sur les systèmes *nationaux*."
    # Exported again (back in review, so as a chosen message), the new translation carries the code in the target.
    again = _export(client, ev, source="es", target="fr", scope="messages", messages=messages[0].id).decode()
    assert '<pc id="1" type="fmt" subType="xlf:i">nationaux</pc>' in again


def test_headings_are_units_with_their_context_and_their_translation_is_imported(ready, client, auth):
    ev, doc, org, messages = ready
    session = messages[0].session
    session.title = {"es": "Diálogo regional"}
    db.session.commit()
    auth.login(org.email)
    exported = _export(client, ev, source="es", target="en", scope="document")
    xml = exported.decode()
    unit_id = f"heading-session-{session.id}"
    assert re.search(rf'<unit id="{unit_id}">\s*<notes>\s*<note category="location">Heading of part I</note>\s*'
                     rf'<note category="context">The title of session RD-LAC: it is also the session’s title in the '
                     rf'agenda.</note>', xml), xml
    response = _import(client, ev, translate(exported, {unit_id: "Regional dialogue"}))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert db.session.get(type(session), session.id).title == {"es": "Diálogo regional", "en": "Regional dialogue"}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.update")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.target == f"session:{session.id}" and entry.user_id == org.id
    # Grouped by theme, the themes are the headings.
    services.set_themes(ev, {"es": "Datos", "en": ""}, org)
    theme = services.themes(ev)[0]
    for m in messages:
        m = db.session.get(KeyMessage, m.id)
        m.themes = [theme.id]
    of.edit_document(doc, org, grouping="theme")
    exported = _export(client, ev, source="es", target="fr", scope="document")
    assert "A theme of the event: it heads the key messages filed under it." in exported.decode()
    response = _import(client, ev, translate(exported, {f"heading-theme-{theme.id}": "Données"}))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert services.themes(ev)[0].title == {"es": "Datos", "fr": "Données"}


def test_paragraphs_and_lists_travel_as_line_break_codes_and_come_back(ready, client, auth):
    ev, doc, org, messages = ready
    text = "Los datos abiertos:\n\n- mejoran la **rendición** de cuentas\n- fortalecen la confianza"
    of.edit_document(doc, org, preamble={"es": text, "fr": "Les données.", "en": "Open data."})
    auth.login(org.email)
    exported = _export(client, ev, source="es", target="en", scope="document")
    xml = exported.decode()
    lb = '<ph id="{}" type="fmt" subType="xlf:lb"/>'
    assert ("<source>Los datos abiertos:" + lb.format(1) + lb.format(2) + "- mejoran la "
            '<pc id="3" type="fmt" subType="xlf:b">rendición</pc> de cuentas' + lb.format(4)
            + "- fortalecen la confianza</source>") in xml
    assert "Line breaks come as tags, two between paragraphs" in xml
    store = Xliff2File.parsestring(exported)
    unit = next(u for u in store.units if u.getid() == "preamble")
    rich = copy.deepcopy(unit.rich_source)
    _translate_rich(rich[0], {"Los datos abiertos:": "Open data:", "- mejoran la ": "- improve ",
                              "rendición": "accountability", " de cuentas": "", "- fortalecen la confianza":
                              "- strengthen trust"})
    unit.rich_target = rich
    response = _import(client, ev, bytes(store))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert db.session.get(type(doc), doc.id).preamble["en"] == \
        "Open data:\n\n- improve **accountability**\n- strengthen trust"


def _ids(rich) -> list[tuple[str, str, str]]:
    """The inline codes of a unit's text as translate-toolkit reads them: (tag, subType, id) in reading order."""
    out = []

    def walk(elem):
        node = getattr(elem, "xml_node", None)
        if node is not None:
            out.append((node.tag.rpartition("}")[2], node.get("subType"), node.get("id")))
        for sub in getattr(elem, "sub", None) or []:
            if not isinstance(sub, str):
                walk(sub)
    for elem in rich:
        walk(elem)
    return out


def test_codes_of_an_existing_target_keep_the_ids_of_the_same_codes_in_the_source(ready, client, auth):
    ev, doc, org, messages = ready
    source = "La cooperación **debe** apoyarse en los sistemas *nacionales*:\n\n- uno\n- dos"
    target = "Co-operation on *national* systems **must** rest:\n\n- one\n- two"  # the emphases swap places
    of.edit_document(doc, org, preamble={"es": source, "fr": "Nous adoptons.", "en": target})
    auth.login(org.email)
    exported = _export(client, ev, source="es", target="en", scope="document")
    store = Xliff2File.parsestring(exported)
    unit = next(u for u in store.units if u.getid() == "preamble")
    in_source, in_target = _ids(unit.rich_source), _ids(unit.rich_target)
    assert in_source == [("pc", "xlf:b", "1"), ("pc", "xlf:i", "2"), ("ph", "xlf:lb", "3"), ("ph", "xlf:lb", "4"),
                         ("ph", "xlf:lb", "5")]
    # Same codes, same ids (the italic first now, as the English puts it), so a CAT tool aligns them.
    assert in_target == [("pc", "xlf:i", "2"), ("pc", "xlf:b", "1"), ("ph", "xlf:lb", "3"), ("ph", "xlf:lb", "4"),
                         ("ph", "xlf:lb", "5")]
    assert '<target>Co-operation on <pc id="2" type="fmt" subType="xlf:i">national</pc> systems ' \
           '<pc id="1" type="fmt" subType="xlf:b">must</pc> rest:' in exported.decode()
    # Every unit with a target: each target code has a source code of the same kind and id.
    for item in store.units:
        if item.target:
            assert set(_ids(item.rich_target)) <= set(_ids(item.rich_source)), item.getid()
    # Back unchanged, through the library: nothing changes.
    revisions = db.session.scalar(select(db.func.count()).select_from(KeyMessageRevision))
    response = _import(client, ev, bytes(Xliff2File.parsestring(exported)))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert "0 translations imported" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(doc), doc.id).preamble["en"] == target
    assert db.session.scalar(select(db.func.count()).select_from(KeyMessageRevision)) == revisions
    assert all(db.session.get(KeyMessage, m.id).status == "approved" for m in messages)


def test_a_target_code_the_source_lacks_gets_an_id_of_its_own(ready, client, auth):
    ev, doc, org, messages = ready
    of.edit_document(doc, org, preamble={"es": "Los *datos* abiertos.", "fr": "Les données.",
                                         "en": "**Open** *data*:\n\n- accountability"})
    auth.login(org.email)
    store = Xliff2File.parsestring(_export(client, ev, source="es", target="en", scope="document"))
    unit = next(u for u in store.units if u.getid() == "preamble")
    assert _ids(unit.rich_source) == [("pc", "xlf:i", "1")]
    assert _ids(unit.rich_target) == [("pc", "xlf:b", "2"), ("pc", "xlf:i", "1"), ("ph", "xlf:lb", "3"),
                                      ("ph", "xlf:lb", "4")]

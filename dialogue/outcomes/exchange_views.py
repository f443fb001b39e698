"""Pages that exchange the outcome document with other tools: XLIFF files for translators (organisers),
and Word files: a rapporteur's text imported as a new key message.

The routes are on the blueprints of views.py. Making an XLIFF file is light (no rendering), so it is
made in the request; the Word version of the document is a job (jobs.py), like the PDFs.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..actions import perform
from ..permissions import can_edit_message, ensure
from ..sessions import services as agenda
from . import document as outcome
from . import services, word_import, xliff
from .document_forms import WordImportForm, XliffExportForm, XliffImportForm
from .views import _organised, _staff_event, manage_bp


def _files_page(ev, doc, export_form, import_form, status=200):
    messages = services.event_messages(ev)
    export_form.messages.choices = [(m.id, m.session.code) for m in messages]
    return render_template("outcomes/translation_files.html", event=ev, doc=doc, export_form=export_form,
                           import_form=import_form, messages=messages), status


@manage_bp.route("/outcome/translation-files", methods=["GET", "POST"])
def translation_files(slug: str):
    """Export the document (or chosen key messages) as XLIFF for a CAT tool, and import the translation."""
    ev = _organised(slug)
    _ok, doc = perform(lambda: outcome.get_or_create_document(ev))
    export_form = XliffExportForm(formdata=None, source=doc.original_language,
                                  target="en" if doc.original_language != "en" else "fr")
    import_form = XliffImportForm()
    if import_form.validate_on_submit():
        data = import_form.file.data.read(xliff.MAX_BYTES + 1)
        ok, count = perform(lambda: xliff.import_file(doc, data, current_user), form=import_form,
                            conflict=_("Someone else changed the document or a key message while the file was "
                                       "imported. Import it again."))
        if ok:
            flash(ngettext("%(num)d translation imported; it is recorded in the history of its key message.",
                           "%(num)d translations imported; each is recorded in the history of its key message.",
                           count), "success")
            return redirect(url_for(".translation_files", slug=ev.slug))
    return _files_page(ev, doc, export_form, import_form, 422 if request.method == "POST" else 200)


@manage_bp.get("/outcome/translation.xlf")
def translation_export(slug: str):
    """The XLIFF 2.0 file asked for by the export form."""
    ev = _organised(slug)
    _ok, doc = perform(lambda: outcome.get_or_create_document(ev))
    form = XliffExportForm(request.args)
    form.messages.choices = []
    if form.validate():
        ids = (form.messages.data or []) if form.scope.data == "messages" else None
        ok, made = perform(lambda: xliff.export(doc, form.source.data, form.target.data, current_user, ids),
                           form=form)
        if ok:
            body, _count = made
            response = current_app.response_class(body, mimetype="application/xliff+xml")
            name = xliff.filename(doc, form.source.data, form.target.data)
            response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return _files_page(ev, doc, form, XliffImportForm(formdata=None), 422)


@manage_bp.route("/sessions/<code>/key-messages/import", methods=["GET", "POST"])
def import_word(slug: str, code: str):
    """A rapporteur's Word text as a new draft key message (paragraphs, emphasis and lists only)."""
    ev = _staff_event(slug)
    s = agenda.session_by_code(ev, code) or abort(404)
    ensure(can_edit_message, current_user, s)
    form = WordImportForm(original_language=s.original_language)
    if form.validate_on_submit():
        data = form.file.data.read(word_import.MAX_BYTES + 1)

        def create():
            text, dropped = word_import.read_text(data)
            message = services.create_message(s, {"text": {form.original_language.data: text},
                                                  "original_language": form.original_language.data}, current_user)
            return message, dropped
        ok, made = perform(create, form=form)
        if ok:
            message, dropped = made
            flash(_("The Word text is saved as a draft key message: check it, then submit it."), "success")
            if dropped:
                flash(_("Left out of the Word file: %(parts)s.", parts=", ".join(dropped)), "warning")
            return redirect(url_for(".edit_message", slug=ev.slug, message_id=message.id))
    status = 422 if request.method == "POST" else 200
    return render_template("outcomes/import_word.html", event=ev, s=s, form=form), status

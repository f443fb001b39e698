"""Forms of the outcome document's versions, translations (XLIFF) and Word imports."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import Optional

from ..forms import NFCForm
from ..sessions.forms import language_choices
from .forms import MultiCheckboxField, PublishForm
from .versions import MARK_KINDS


class VersionedPublishForm(PublishForm):
    """Publishing, with the kind of version after the first: a revision or a correction."""

    mark = RadioField(_l("What is this version?"), choices=lambda: list(MARK_KINDS.items()), default="rev",
                      validators=[Optional()])


class XliffExportForm(NFCForm):
    """Which translation file to make (a GET form: the file is its address)."""

    class Meta:
        csrf = False

    source = SelectField(_l("Translate from"), choices=language_choices, default="en")
    target = SelectField(_l("Into"), choices=language_choices, default="fr")
    scope = RadioField(_l("What to translate"), default="document", choices=lambda: [
        ("document", _l("The whole outcome document")), ("messages", _l("The key messages ticked below"))])
    messages = MultiCheckboxField(_l("Key messages"), coerce=int, choices=[], validate_choice=False)
    export = SubmitField(_l("Download the XLIFF file"))


class XliffImportForm(NFCForm):
    file = FileField(_l("Translated XLIFF file"), validators=[
        FileRequired(_l("Choose a file.")), FileAllowed(["xlf", "xliff", "xml"], _l("Upload a .xlf or .xliff file."))])
    upload = SubmitField(_l("Import the translations"))


class WordImportForm(NFCForm):
    """A rapporteur's Word file, read as the text of a new key message."""

    original_language = SelectField(_l("Language of the text"), choices=language_choices)
    file = FileField(_l("Word file (.docx)"), validators=[
        FileRequired(_l("Choose a file.")), FileAllowed(["docx"], _l("Upload a .docx file."))],
        description=_l("Paragraphs, emphasis and lists are kept; tables, images, footnotes and other "
                       "formatting are left out. The message is saved as a draft for you to check."))
    upload = SubmitField(_l("Import as a new key message"))

"""Forms of the outcome document's versions, translations (XLIFF) and Word imports."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import Optional

from .forms import PublishForm
from .versions import MARK_KINDS


class VersionedPublishForm(PublishForm):
    """Publishing, with the kind of version after the first: a revision or a correction."""

    mark = RadioField(_l("What is this version?"), choices=lambda: list(MARK_KINDS.items()), default="rev",
                      validators=[Optional()])

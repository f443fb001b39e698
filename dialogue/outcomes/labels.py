"""Words of key messages and the outcome document (statuses, revision actions, groupings), in the
three languages, beside the codes of models.py: for forms, pages and services alike."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted for review"),
    "approved": _l("Approved"),
    "returned": _l("Returned"),
}
ACTION_LABELS = {
    "create": _l("created"),
    "edit": _l("edited"),
    "submit": _l("submitted"),
    "approve": _l("approved"),
    "return": _l("returned"),
}
TRANSLATION_STATES = {
    "original": _l("Original"),
    "current": _l("Current"),
    "outdated": _l("Out of date"),
    "missing": _l("Missing"),
}
COMMENT_KIND_LABELS = {"comment": _l("Comment"), "return": _l("Returned"), "note": _l("Note")}
GROUPING_LABELS = {"session": _l("By session"), "theme": _l("By theme")}

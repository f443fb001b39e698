"""Words of the agenda (kinds of session, roles of people on a session, genders, event statuses), in
the three languages, beside the codes of models.py: for forms, pages, exports and services alike."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "plenary": _l("Plenary session"),
    "working": _l("Working session"),
    "regional_dialogue": _l("Regional dialogue"),
    "side_event": _l("Side event"),
}
KIND_PLURALS = {
    "plenary": _l("Plenary sessions"),
    "working": _l("Working sessions"),
    "regional_dialogue": _l("Regional dialogues"),
    "side_event": _l("Side events"),
}
PERSON_ROLE_LABELS = {
    "chair": _l("Chair"),
    "moderator": _l("Moderator"),
    "speaker": _l("Speaker"),
    "panelist": _l("Panellist"),
    "contact": _l("Contact"),
}
GENDER_LABELS = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "undisclosed": _l("Not stated"),
}
STATUS_LABELS = {"draft": _l("Draft (hidden from the public)"), "published": _l("Published")}

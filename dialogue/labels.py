"""Words of the app's own codes, in the three languages, beside the models: the roles a user holds in
an event. Each domain keeps its words in its own labels.py (sessions, delegates, outcomes)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Roles of users in an event (EventRole.role); not the roles in a delegation or on a session.
EVENT_ROLE_LABELS = {"organiser": _l("organiser"), "focal_point": _l("focal point"), "rapporteur": _l("rapporteur"),
                     "badge_checker": _l("badge checker")}

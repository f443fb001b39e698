"""Registering delegations: focal points, nominations within quotas, accreditation, sign-ups.

Every function takes objects, checks who may act, raises `DelegationError` with a message for
the user and the field it concerns, records an audit entry, and leaves the commit to the caller.
The modules of this package follow its seams (names, validation, notifications, state changes,
queries); this one re-exports their public names, so callers write `services.nominate(...)`.
"""
# The models, as the one-module services exposed them to callers and tests.
from ..models import Delegate, Delegation, FocalPoint, SessionRegistration
from .accreditation import accredit, accredit_many, reject
from .credentials import (
    check_file,
    credentials_file,
    credentials_states,
    decide_credentials,
    in_order_ids,
    letter,
    upload_credentials,
)
from .delegations import invite_focal_point, save_delegation
from .errors import DelegationError, QuotaReached
from .importing import EXAMPLE_EMAIL, ImportFailed, RowError, import_delegates
from .listing import (
    PARTICIPANT_COLUMNS,
    ParticipantGroup,
    credentials_in_order,
    delegate_by_badge,
    delegation_delegates,
    event_delegations,
    my_delegations,
    participants,
    places,
    session_attendance,
    statistics,
)
from .names import (
    NOT_COUNTRIES,
    about,
    agree,
    collation_key,
    countries,
    country_name,
    delegation_name,
    elides,
    is_country,
    name_key,
    name_parts,
    person_html,
    person_name,
    plain_name,
    suggested_order,
)
from .nominations import nominate, update_delegate, withdraw
from .notify import external_url
from .reminders import send_deadline_reminders, send_duplicate_notices
from .validation import FIELDS, LIMITS, clean_delegate
from .window import WindowClosed, ensure_open, event_window, extend_deadline, save_window, time_left, window_for

__all__ = [
    "EXAMPLE_EMAIL", "FIELDS", "LIMITS", "NOT_COUNTRIES", "PARTICIPANT_COLUMNS",
    "Delegate", "Delegation", "DelegationError", "FocalPoint", "ImportFailed", "ParticipantGroup", "QuotaReached", "RowError",
    "SessionRegistration",
    "about", "accredit", "accredit_many", "agree", "clean_delegate", "collation_key", "countries", "country_name",
    "delegate_by_badge", "delegation_delegates", "delegation_name", "elides", "event_delegations", "external_url",
    "import_delegates", "invite_focal_point", "is_country", "my_delegations", "name_key",
    "name_parts", "person_html", "person_name", "plain_name", "suggested_order", "nominate", "participants",
    "places", "reject", "save_delegation", "session_attendance", "statistics", "update_delegate", "withdraw",
    "WindowClosed", "ensure_open", "event_window", "extend_deadline", "save_window", "time_left", "window_for",
    "send_deadline_reminders", "send_duplicate_notices",
    "check_file", "credentials_file", "credentials_states", "credentials_in_order", "decide_credentials", "in_order_ids", "letter",
    "upload_credentials",
]

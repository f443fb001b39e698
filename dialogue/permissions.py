"""Who may do what: every access rule in one place, each named by what it allows.

Views, the API, the CLI and the services ask the same functions. A rule answers True or False;
`ensure(rule, user, ...)` raises PermissionDenied with the rule's translated message, which the
app-level handlers (actions.register_domain_errors) turn into a 403 or 404 page or JSON answer.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .delegates.models import FocalPoint
from .extensions import db
from .models import EventRole
from .outcomes.models import KeyMessage, SessionRapporteur


class PermissionDenied(Exception):
    """A user may not do something; `status` is 404 where even the thing's existence is private."""

    def __init__(self, message: str = "", status: int = 403):
        super().__init__(message)
        self.message = str(message)
        self.status = status


def signed_in(user) -> bool:
    """Whether `user` is a signed-in account (not None, not Flask-Login's anonymous user)."""
    return user is not None and bool(getattr(user, "is_authenticated", False))


# --- roles ------------------------------------------------------------------------------------

def has_role(user, event, *roles: str) -> bool:
    """Whether `user` holds one of `roles` in `event` (admins are organisers everywhere)."""
    if not signed_in(user):
        return False
    if user.is_admin and "organiser" in roles:
        return True
    return db.session.scalar(
        select(EventRole.id).where(EventRole.user_id == user.id, EventRole.event_id == event.id,
                                   EventRole.role.in_(roles)).limit(1)) is not None


def organised_event_ids(user) -> set[int] | None:
    """Ids of the events `user` organises, in one query; None means every event (an admin)."""
    if not signed_in(user):
        return set()
    if user.is_admin:
        return None
    return set(db.session.scalars(select(EventRole.event_id).where(
        EventRole.user_id == user.id, EventRole.role == "organiser")))


def is_focal_point(user, delegation) -> bool:
    """Whether `user` registers `delegation`."""
    if not signed_in(user):
        return False
    return db.session.scalar(select(FocalPoint.id).where(
        FocalPoint.user_id == user.id, FocalPoint.delegation_id == delegation.id).limit(1)) is not None


def is_rapporteur(user, session) -> bool:
    """Whether `user` reports on the meeting session `session`."""
    if not signed_in(user):
        return False
    return db.session.scalar(select(SessionRapporteur.id).where(
        SessionRapporteur.user_id == user.id, SessionRapporteur.session_id == session.id).limit(1)) is not None


# --- events -----------------------------------------------------------------------------------

def can_create_event(user) -> bool:
    """Creating events is for administrators (`dialogue create-user --admin`)."""
    return signed_in(user) and bool(user.is_admin)


def can_copy_event(user, event) -> bool:
    """Making a new (draft) event from `event`: administrators, and the organisers of `event`."""
    return can_create_event(user) or can_organise(user, event)


def can_organise(user, event) -> bool:
    """The event's organisers (and administrators): agenda, team, delegations, review, publishing."""
    return has_role(user, event, "organiser")


def can_check_badges(user, event) -> bool:
    """The page a badge's QR code opens: the event's organisers and its badge checkers (door staff),
    who may open nothing else of the event."""
    return has_role(user, event, "organiser", "badge_checker")


def can_view_event(user, event) -> bool:
    """Published events are public; drafts only for their organisers."""
    return event.is_published or can_organise(user, event)


def viewable_events(user, events: Iterable) -> list:
    """`can_view_event` over many events, in one query whatever their number."""
    organised = organised_event_ids(user)
    return [e for e in events if e.is_published or organised is None or e.id in organised]


def organised_events(user, events: Iterable) -> list:
    """`can_organise` over many events, in one query whatever their number."""
    organised = organised_event_ids(user)
    return [e for e in events if organised is None or e.id in organised]


# --- delegations ------------------------------------------------------------------------------

def can_edit_delegation(user, delegation) -> bool:
    """Its focal points and the event's organisers see and change a delegation; nobody else."""
    return is_focal_point(user, delegation) or can_organise(user, delegation.event)


def can_see_participant_list(user, event) -> bool:
    """The provisional list of participants: public once its organisers publish it; they see it before."""
    return (can_view_event(user, event) and event.participants_published_at is not None) or can_organise(user, event)


def can_reuse_delegation(user, source, target) -> bool:
    """A focal point copies the people of a delegation they registered for an earlier event into
    one they register now; only their own delegations, never another's."""
    return (source.event_id != target.event_id and is_focal_point(user, source) and is_focal_point(user, target)
            and source.event.starts_on <= target.event.starts_on)


def can_see_personal_details(user, delegation) -> bool:
    """Delegates' own details (passport, birth date...): the delegation's focal points and the event's organisers."""
    return is_focal_point(user, delegation) or can_organise(user, delegation.event)


def can_request_change(user, delegation) -> bool:
    """Asking to replace or withdraw an accredited delegate: the delegation's focal points."""
    return is_focal_point(user, delegation)


# --- key messages -----------------------------------------------------------------------------

def can_write_messages(user, event) -> bool:
    """Organisers and rapporteurs reach the key-message pages of an event."""
    return has_role(user, event, "organiser", "rapporteur")


def can_edit_message(user, message_or_session) -> bool:
    """The rapporteurs of the session and the organisers write and change its key messages."""
    session = message_or_session.session if isinstance(message_or_session, KeyMessage) else message_or_session
    return is_rapporteur(user, session) or can_organise(user, session.event)


def can_discuss_message(user, message) -> bool:
    """The conversation of a message: its session's rapporteurs and the event's organisers read and post."""
    return can_edit_message(user, message)


def can_delete_message(user, message) -> bool:
    """Like editing, but an approved message only by the organisers."""
    if message.status == "approved":
        return can_organise(user, message.session.event)
    return can_edit_message(user, message)


def can_review_message(user, message) -> bool:
    """An organiser approves or returns a message, unless they wrote or changed its original text, or changed
    a translation after approval while another organiser can look at it (four eyes)."""
    from .outcomes.approval import review_standing  # the outcomes services import this module
    return can_organise(user, message.session.event) and review_standing(user, message) in ("", "sole")


# --- ensure -----------------------------------------------------------------------------------

MESSAGES: dict[Callable, object] = {
    can_create_event: _l("Only administrators may create events."),
    can_organise: _l("Only the organisers of this event may do this."),
    can_view_event: _l("No published event with this address."),
    can_check_badges: _l("Only the organisers and badge checkers of this event may check its badges."),
    can_edit_delegation: _l("Only the focal points of this delegation may do this."),
    can_see_personal_details: _l("Only the focal points of this delegation and the organisers see personal details."),
    can_request_change: _l("Only the focal points of this delegation may do this."),
    can_write_messages: _l("Only the organisers and rapporteurs of this event may do this."),
    can_edit_message: _l("Only the rapporteurs of this session and the organisers may edit its key messages."),
    can_delete_message: _l("An approved message can only be deleted by the organisers."),
    can_discuss_message: _l("Only the rapporteurs of this session and the organisers take part in this conversation."),
}


def _review_refusal(user, message) -> object:
    from .outcomes.approval import review_standing
    if not can_organise(user, message.session.event):
        return MESSAGES[can_organise]
    if review_standing(user, message) == "own_change":
        return _l("You changed a translation of this message after it was approved: another organiser must look "
                  "at the change.")
    return _l("You wrote or changed the original text of this message: another organiser must review it.")


REASONS: dict[Callable, Callable] = {can_review_message: _review_refusal}


#: Said where even the existence of the thing is private (status 404): the same for what is not there.
NOT_FOUND = _l("There is nothing here that you may see.")


def hidden() -> PermissionDenied:
    """The same refusal as a 404 that tells nothing of the thing refused."""
    return PermissionDenied(str(NOT_FOUND), 404)


def ensure(rule: Callable[..., bool], user, *objects, status: int = 403) -> None:
    """Raise PermissionDenied (with the rule's message, and `status`) unless `rule(user, *objects)`.

    With status 404 the message is NOT_FOUND, except for can_view_event, which is about existence.
    """
    if rule(user, *objects):
        return
    if status == 404 and rule is not can_view_event:
        reason = NOT_FOUND
    elif rule in REASONS:
        reason = REASONS[rule](user, *objects)
    else:
        reason = MESSAGES.get(rule, _l("You may not do this."))
    raise PermissionDenied(str(reason), status)

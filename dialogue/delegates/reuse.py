"""Starting a delegation from one the same focal point registered for an earlier event.

The people are copied as the focal point typed them then (salutation, names in their order and in
their own script, function, role, gender, attendance and the email that reaches them), as new
nominations that go through the quota and the usual checks. Nothing else crosses events: no
session sign-ups, no accreditation, no badge, no photo, and none of the personal details a delegate
gave themselves (those they give again).

The email is copied, on purpose. The issue asks for "people copied, not their personal details
unless they agree again": the personal details are what a delegate typed through their signed link
(passport or ID number, nationality, date of birth, travel dates, visa letter) and the badge photo,
and none of them is copied. The email is contact data the focal point typed, a nomination cannot
be made without it, and it is what the new signed link is sent to, through which the delegate
agrees again to give their details. Dropping it would only make the focal point retype it. The
reuse page says that the email is copied, and the address can be changed while the nomination is
pending.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import audit
from ..permissions import can_reuse_delegation, ensure
from ..sessions.models import Event
from .models import ACTIVE_STATUSES, DELEGATE_ROLES, Delegate, Delegation, FocalPoint
from .services.errors import DelegationError, QuotaReached
from .services.names import delegation_name, name_key
from .services.nominations import _active_count, _lock, nominate

#: What is copied of a person: the fields of a nomination that say who they are, not sessions.
COPIED = ("salutation", "given_name", "family_name", "name_order", "native_name", "function", "email", "gender", "role",
          "attendance")
#: The columns an earlier delegation's people are read with (ids to choose them, what is copied).
COLUMNS = (Delegate.id, Delegate.delegation_id, *(getattr(Delegate, name) for name in COPIED))
#: Most people one copy takes (larger delegations are copied in several steps, or imported).
MOST = 500


@dataclass
class Earlier:
    """A delegation of an earlier event, with the people that may be copied from it."""

    delegation: Delegation
    name: str
    people: list


def earlier_delegations(user, target: Delegation, lang: str) -> list[Earlier]:
    """The delegations of other, earlier events that `user` was a focal point of, newest event
    first, each with its people who held a place (nominated or accredited); two queries."""
    delegations = db.session.scalars(
        select(Delegation).join(FocalPoint).join(Event, Event.id == Delegation.event_id)
        .where(FocalPoint.user_id == user.id, Delegation.event_id != target.event_id,
               Event.starts_on <= target.event.starts_on)
        .options(selectinload(Delegation.event))
        .order_by(Event.starts_on.desc(), Delegation.id.desc()).limit(50)).all()
    people: dict[int, list] = defaultdict(list)
    if delegations:
        for row in db.session.execute(select(*COLUMNS).where(
                Delegate.delegation_id.in_([d.id for d in delegations]), Delegate.status.in_(ACTIVE_STATUSES))):
            people[row.delegation_id].append(row)
    rank = {role: i for i, role in enumerate(DELEGATE_ROLES)}
    for rows in people.values():
        rows.sort(key=lambda p: (rank.get(p.role, 9), name_key(p.family_name, lang), name_key(p.given_name, lang), p.id))
    return [Earlier(d, delegation_name(d, lang), people[d.id]) for d in delegations]


def already_here(target: Delegation) -> set[str]:
    """Emails of the people who hold a place in `target` now: the page does not offer them again."""
    return set(db.session.scalars(select(Delegate.email).where(
        Delegate.delegation_id == target.id, Delegate.status.in_(ACTIVE_STATUSES))))


def copy_people(source: Delegation, target: Delegation, person_ids: list[int], by) -> list[Delegate]:
    """Nominate in `target` the chosen people of `source`: all of them, or none with the reason."""
    ensure(can_reuse_delegation, by, source, target)
    wanted = set(person_ids)
    people = list(db.session.execute(select(*COLUMNS).where(
        Delegate.delegation_id == source.id, Delegate.status.in_(ACTIVE_STATUSES), Delegate.id.in_(wanted))
        .order_by(Delegate.id).limit(MOST + 1)))
    if not people:
        raise DelegationError(_("Choose at least one person to copy."))
    if len(people) > MOST:
        raise DelegationError(_("At most %(most)d people can be copied at once.", most=MOST))
    _lock(target)
    free = max(target.quota - _active_count(target), 0)
    if len(people) > free:
        raise QuotaReached(ngettext(
            "%(chosen)d people chosen, but the delegation has %(num)d free place (quota %(quota)d): "
            "choose fewer people or ask the organisers for more places.",
            "%(chosen)d people chosen, but the delegation has %(num)d free places (quota %(quota)d): "
            "choose fewer people or ask the organisers for more places.",
            free, chosen=len(people), quota=target.quota))
    made = []
    for person in people:
        data = {name: getattr(person, name) for name in COPIED} | {"sessions": []}
        try:
            made.append(nominate(target, data, by))
        except DelegationError as error:
            who = f"{person.given_name} {person.family_name}"
            raise DelegationError(_("%(name)s: %(problem)s Nobody was copied.", name=who, problem=error.message)) from None
    audit("delegation.reuse", user=by, event=target.event, target=f"delegation:{target.id}",
          source=source.id, copied=len(made))
    return made

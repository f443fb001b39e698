"""What organisers and focal points see: delegations, participants, statistics, attendance."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...sessions.models import GENDERS, Event, MeetingSession
from ..models import (
    ACTIVE_STATUSES,
    DELEGATE_ROLES,
    DELEGATION_KINDS,
    CredentialsLetter,
    Delegate,
    Delegation,
    FocalPoint,
    SessionRegistration,
)
from .names import collation_key, delegation_name, name_key
from .nominations import _active_count


def my_delegations(user) -> list[Delegation]:
    """The delegations this user is a focal point of, with their events."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        select(Delegation).join(FocalPoint).where(FocalPoint.user_id == user.id)
        .options(selectinload(Delegation.event)).order_by(Delegation.event_id, Delegation.id)))


def delegation_delegates(delegation: Delegation, lang: str = "en") -> list[Delegate]:
    """A delegation's delegates with their sessions: those who hold a place first (so that the
    rows can be counted against the quota), heads first, then by name in the alphabet of `lang`
    (Ávila under A), withdrawn and rejected ones last; two queries."""
    rows = db.session.scalars(select(Delegate).where(Delegate.delegation_id == delegation.id)
                              .options(selectinload(Delegate.registrations).selectinload(SessionRegistration.session))
                              .order_by(Delegate.id)).all()
    return sorted(rows, key=lambda d: (not d.is_active, DELEGATE_ROLES.index(d.role) if d.role in DELEGATE_ROLES else 9,
                                       name_key(d.family_name, lang), name_key(d.given_name, lang)))


def places(delegation: Delegation) -> int:
    """Places held (nominated or accredited)."""
    return _active_count(delegation)


def event_delegations(event: Event, lang: str) -> list[tuple[Delegation, str, Counter]]:
    """Delegations of an event sorted by kind and name, with counts of delegates per status."""
    delegations = db.session.scalars(select(Delegation).where(Delegation.event_id == event.id)
                                     .options(selectinload(Delegation.focal_points).selectinload(FocalPoint.user))).all()
    counts: dict[int, Counter] = defaultdict(Counter)
    for delegation_id, status, n in db.session.execute(
            select(Delegate.delegation_id, Delegate.status, func.count()).where(Delegate.event_id == event.id)
            .group_by(Delegate.delegation_id, Delegate.status)):
        counts[delegation_id][status] = n
    rows = [(d, delegation_name(d, lang), counts[d.id]) for d in delegations]
    rows.sort(key=lambda r: (DELEGATION_KINDS.index(r[0].kind), collation_key(r[1], lang)))
    return rows


@dataclass
class ParticipantGroup:
    kind: str
    delegations: list[tuple[Delegation, str, list[Delegate]]] = field(default_factory=list)


#: The columns the participants list, its exports and badges show: plain rows, not ORM objects,
#: so that 100,000 delegates load in a fraction of the time.
PARTICIPANT_COLUMNS = (Delegate.id, Delegate.delegation_id, Delegate.salutation, Delegate.given_name, Delegate.family_name,
                       Delegate.function, Delegate.email, Delegate.role, Delegate.attendance, Delegate.gender,
                       Delegate.badge_code, Delegate.name_order, Delegate.native_name, Delegate.photo_sha256)


def credentials_in_order():
    """A condition on delegates: their delegation's letter of credentials is in order."""
    return Delegate.delegation_id.in_(select(CredentialsLetter.delegation_id)
                                      .where(CredentialsLetter.status == "in_order"))


def participants(event: Event, lang: str, only_credentials_in_order: bool = False) -> list[ParticipantGroup]:
    """The list of participants in the UN manner: accredited delegates grouped by kind and
    delegation, delegations in the alphabet of `lang`, heads of delegation first (optionally of the
    delegations whose credentials are in order only). Two queries."""
    only = [credentials_in_order()] if only_credentials_in_order else []
    delegations = {d.id: d for d in db.session.scalars(select(Delegation).where(Delegation.event_id == event.id))}
    members: dict[int, list] = defaultdict(list)
    for row in db.session.execute(select(*PARTICIPANT_COLUMNS).where(Delegate.event_id == event.id, *only,
                                                                     Delegate.status == "accredited")):
        members[row.delegation_id].append(row)
    groups: dict[str, ParticipantGroup] = {}
    for delegation_id, people in members.items():
        delegation = delegations[delegation_id]
        group = groups.setdefault(delegation.kind, ParticipantGroup(delegation.kind))
        people.sort(key=person_key(lang))
        group.delegations.append((delegation, delegation_name(delegation, lang), people))
    for group in groups.values():
        group.delegations.sort(key=lambda item: collation_key(item[1], lang))
    return [groups[k] for k in DELEGATION_KINDS if k in groups]


def person_key(lang: str):
    """The order of people within a delegation in every list: heads first, then alternates, advisers
    and members, by family and given name in the alphabet of `lang`, then by id (namesakes)."""
    rank = {role: i for i, role in enumerate(DELEGATE_ROLES)}
    return lambda p: (rank.get(p.role, 9), name_key(p.family_name, lang), name_key(p.given_name, lang), p.id)


#: Delegates read per query by the streamed exports, unless the EXPORT_BATCH setting says otherwise.
EXPORT_BATCH = 2000


@dataclass
class Roster:
    """The accredited delegates of an event in the list's order, to be read batch by batch.

    `total` is known at once (from the counts per delegation); iterating `batches` reads the people
    at most `batch` rows a query (plain rows of `columns`), each batch a list of
    (delegation, people) in order, where `delegation` is a `queries.DelegationRow` (id, kind, name
    in the language) and `people` that delegation's delegates of this batch, in order. A delegation
    larger than a batch comes in several parts, one a batch. Memory holds one batch, and the sort
    keys (id, role, names) of one large delegation, whatever the event's size. The exports read it
    inside `jobs.snapshot.read_snapshot()`, so that the total and every batch see one state."""

    total: int
    batches: Iterator[list[tuple]]


def roster(event: Event, lang: str, columns=PARTICIPANT_COLUMNS, only: tuple = (), batch: int | None = None) -> Roster:
    """The event's accredited delegates (matching the conditions `only`, e.g. `credentials_in_order()`)
    in the order of the printed list: kinds, delegations in the alphabet of `lang` (the order
    `queries` keeps per event and language), people by `person_key`; one query (two after the
    delegations changed) for the counts, then one query a batch (a large delegation: its keys in
    pages of a batch, then its rows a batch at a time)."""
    from ..queries import delegations_with_counts
    size = max(1, int(batch or current_app.config.get("EXPORT_BATCH") or EXPORT_BATCH))
    order = [d for d in delegations_with_counts(event, lang, "accredited", "", tuple(only))
             if d.count and d.kind in DELEGATION_KINDS]
    return Roster(sum(d.count for d in order), _batches(order, lang, tuple(columns), tuple(only), size))


def _batches(order: list, lang: str, columns: tuple, only: tuple, size: int) -> Iterator[list[tuple]]:
    """Whole delegations packed into batches of at most `size` people; larger ones on their own."""
    pending: list = []
    held = 0
    for delegation in [*order, None]:
        if pending and (delegation is None or held + delegation.count > size):
            yield _whole(pending, lang, columns, only)
            pending, held = [], 0
        if delegation is None:
            break
        if delegation.count > size:
            yield from _large(delegation, lang, columns, only, size)
        else:
            pending.append(delegation)
            held += delegation.count


def _accredited(only: tuple) -> list:
    return [Delegate.status == "accredited", *only]


def _whole(delegations: list, lang: str, columns: tuple, only: tuple) -> list[tuple]:
    """The people of a few whole delegations, in one query."""
    people: dict[int, list] = {d.id: [] for d in delegations}
    for row in db.session.execute(select(*columns).where(Delegate.delegation_id.in_(list(people)), *_accredited(only))):
        people[row.delegation_id].append(row)
    key = person_key(lang)
    return [(d, sorted(people[d.id], key=key)) for d in delegations]


def _large(delegation, lang: str, columns: tuple, only: tuple, size: int) -> Iterator[list[tuple]]:
    """A delegation larger than a batch: its sort keys read by pages of ids (keyset), sorted, then
    its rows by `size` ids at a time, put back in that order."""
    keys, after = [], 0
    while True:
        page = db.session.execute(
            select(Delegate.id, Delegate.role, Delegate.family_name, Delegate.given_name)
            .where(Delegate.delegation_id == delegation.id, Delegate.id > after, *_accredited(only))
            .order_by(Delegate.id).limit(size)).all()
        keys.extend(page)
        if len(page) < size:
            break
        after = page[-1].id
    keys.sort(key=person_key(lang))
    ids = [k.id for k in keys]
    del keys
    for start in range(0, len(ids), size):
        wanted = ids[start:start + size]
        found = {row.id: row for row in db.session.execute(
            select(*columns).where(Delegate.id.in_(wanted), *_accredited(only)))}
        yield [(delegation, [found[i] for i in wanted if i in found])]


def statistics(event: Event, lang: str, only_credentials_in_order: bool = False) -> dict:
    """Delegates (nominated or accredited) by kind, by delegation and by gender, and heads by gender;
    optionally of the delegations whose credentials are in order only."""
    only = [credentials_in_order()] if only_credentials_in_order else []
    rows = db.session.execute(
        select(Delegation.id, Delegation.kind, Delegate.gender, Delegate.role, func.count())
        .join(Delegate, Delegate.delegation_id == Delegation.id)
        .where(Delegation.event_id == event.id, Delegate.status.in_(ACTIVE_STATUSES), *only)
        .group_by(Delegation.id, Delegation.kind, Delegate.gender, Delegate.role)).all()
    delegations = {d.id: d for d in db.session.scalars(select(Delegation).where(Delegation.event_id == event.id))}
    by_kind, by_delegation, gender, heads = Counter(), Counter(), Counter(), Counter()
    for delegation_id, kind, g, role, n in rows:
        by_kind[kind] += n
        by_delegation[delegation_id] += n
        gender[g] += n
        if role == "head":
            heads[g] += n
    per_delegation = sorted(((delegation_name(delegations[i], lang), n) for i, n in by_delegation.items()),
                            key=lambda item: collation_key(item[0], lang))
    return {"total": sum(by_kind.values()), "by_kind": [(k, by_kind[k]) for k in DELEGATION_KINDS if by_kind[k]],
            "by_delegation": per_delegation, "gender": [(g, gender[g]) for g in GENDERS],
            "heads": [(g, heads[g]) for g in GENDERS], "heads_total": sum(heads.values())}


def session_attendance(event: Event, lang: str = "en") -> list[tuple[MeetingSession, list[Delegate]]]:
    """Each session of the agenda (not the bin) with the delegates (nominated or accredited) signed
    up for it; three queries."""
    sessions = db.session.scalars(select(MeetingSession).where(MeetingSession.event_id == event.id,
                                                               MeetingSession.deleted_at.is_(None))
                                  .order_by(MeetingSession.starts_at, MeetingSession.code)).all()
    by_session: dict[int, list[Delegate]] = defaultdict(list)
    rows = db.session.execute(select(SessionRegistration.session_id, Delegate).join(Delegate)
                              .where(Delegate.event_id == event.id, Delegate.status.in_(ACTIVE_STATUSES))
                              .options(selectinload(Delegate.delegation))).all()
    for session_id, delegate in rows:
        by_session[session_id].append(delegate)
    return [(s, sorted(by_session[s.id], key=lambda d: (name_key(d.family_name, lang), name_key(d.given_name, lang))))
            for s in sessions]


def delegate_by_badge(event: Event, code: str) -> Delegate | None:
    return db.session.scalar(select(Delegate).where(Delegate.event_id == event.id, Delegate.badge_code == code)
                             .options(selectinload(Delegate.delegation)))

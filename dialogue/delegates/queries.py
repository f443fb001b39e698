"""The paginated lists of delegates at COP scale: participants, one delegation, the accreditation queue.

COP28 had 100,446 participants, 2,350 observer organisations and a delegation of 4,409. Each page
here loads in a fixed number of queries whatever those numbers, and is searchable by name through
the delegates' stored `search_name` (accents, case and script folded: "jose" finds José, "wang"
finds 王). Order follows the printed list: names without accents, Spanish ñ after n.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..sessions.models import Event
from .models import (
    ACTIVE_STATUSES,
    DELEGATE_ROLES,
    DELEGATION_KINDS,
    Delegate,
    Delegation,
    SessionRegistration,
    search_words,
)
from .services import PARTICIPANT_COLUMNS, collation_key, country_name

PER_PAGE = 100
#: Words of a search that count; the rest of a pasted paragraph is ignored.
MAX_WORDS = 6

ROLE_RANK = case({role: i for i, role in enumerate(DELEGATE_ROLES)}, value=Delegate.role, else_=len(DELEGATE_ROLES))


@dataclass
class Page:
    """One page of a list: its items, where they start (1-based) in `total`, and how to go on.

    `number`/`pages` for lists paged by number; `prev_args`/`next_args` are the query arguments of
    the neighbouring pages (a page number, or a keyset cursor), empty when there is none."""

    items: list
    first: int
    last: int
    total: int
    number: int | None = None
    pages: int | None = None
    prev_args: dict = field(default_factory=dict)
    next_args: dict = field(default_factory=dict)


def name_filter(q: str | None) -> list:
    """Conditions for delegates whose names have a word starting with each word of `q`."""
    return [Delegate.search_name.contains(" " + word) for word in search_words(q or "")[:MAX_WORDS]]


def order_name(lang: str):
    """The sort key of names in `lang`'s alphabet: ñ with n, or after it in Spanish."""
    return func.replace(Delegate.sort_name, "ñ", "n\U0010fffd" if lang == "es" else "n")


@lru_cache(maxsize=16384)
def _collation(name: str, lang: str) -> tuple:
    """Organisation names recur on every page: their collation keys are computed once per process."""
    return collation_key(name, lang)


@dataclass
class DelegationRow:
    id: int
    kind: str
    name: str
    #: Its delegates in the status (and search) asked for.
    count: int


def delegations_with_counts(event: Event, lang: str, status: str, conditions: list = ()) -> list[DelegationRow]:
    """The event's delegations by kind, then in the alphabet of `lang`, each with its number of
    delegates in `status` that meet `conditions`; one query, whose counts read one index only."""
    counts = (select(Delegate.delegation_id, func.count().label("n"))
              .where(Delegate.event_id == event.id, Delegate.status == status, *conditions)
              .group_by(Delegate.delegation_id).subquery())
    rows = [DelegationRow(i, kind, country_name(country, lang) if country else name, n or 0)
            for i, kind, country, name, n in db.session.execute(
                select(Delegation.id, Delegation.kind, Delegation.country, Delegation.name, counts.c.n)
                .outerjoin(counts, counts.c.delegation_id == Delegation.id).where(Delegation.event_id == event.id))]
    rank = {kind: i for i, kind in enumerate(DELEGATION_KINDS)}
    rows.sort(key=lambda d: (rank.get(d.kind, len(rank)), _collation(d.name, lang), d.id))
    return rows


def _number(value, pages: int) -> int:
    try:
        return min(max(int(value or 1), 1), pages)
    except (TypeError, ValueError):
        return 1


# --- participants -------------------------------------------------------------------------------

@dataclass
class ParticipantBlock:
    """The participants of one delegation on a page; `continued` when it began on an earlier page."""

    delegation: DelegationRow
    people: list
    continued: bool


def participants_page(event: Event, lang: str, q: str = "", number=1, per_page: int = PER_PAGE) -> Page:
    """Accredited delegates in the order of the printed list (kind, delegation, heads first, name),
    `per_page` at a time, as `ParticipantBlock`s; two queries at any depth.

    Counts per delegation say which delegations a page number covers, and from which place in each;
    one query then numbers the delegates of those delegations only, so page 1,000 costs what page 1
    does."""
    conditions = name_filter(q)
    order = [d for d in delegations_with_counts(event, lang, "accredited", conditions) if d.count]
    total = sum(d.count for d in order)
    pages = max(1, -(-total // per_page))
    number = _number(number, pages)
    start, seen, segments = (number - 1) * per_page, 0, []
    for d in order:
        n = d.count
        if seen + n > start:
            segments.append((d, max(start - seen, 0) + 1, min(start + per_page - seen, n)))
        seen += n
        if seen >= start + per_page:
            break
    blocks = []
    if segments:
        # Number the delegates of these delegations by their keys alone, then read the columns of
        # the hundred wanted: sorting whole rows of a delegation of 4,409 costs several times more.
        place = func.row_number().over(partition_by=Delegate.delegation_id, order_by=(
            ROLE_RANK, order_name(lang), Delegate.family_name, Delegate.given_name, Delegate.id)).label("place")
        numbered = (select(Delegate.id, Delegate.delegation_id, place)
                    .where(Delegate.event_id == event.id, Delegate.status == "accredited", *conditions,
                           Delegate.delegation_id.in_([d.id for d, _lo, _hi in segments])).subquery())
        wanted = select(numbered.c.id, numbered.c.place).where(or_(*(
            and_(numbered.c.delegation_id == d.id, numbered.c.place.between(lo, hi)) for d, lo, hi in segments))).subquery()
        rows = db.session.execute(select(*PARTICIPANT_COLUMNS, wanted.c.place).join(wanted, wanted.c.id == Delegate.id)).all()
        people: dict[int, list] = {d.id: [] for d, _lo, _hi in segments}
        for row in sorted(rows, key=lambda r: r.place):
            people[row.delegation_id].append(row)
        blocks = [ParticipantBlock(d, people[d.id], lo > 1) for d, lo, _hi in segments]
    return _numbered(blocks, sum(len(b.people) for b in blocks), start, total, number, pages)


def _numbered(items: list, shown: int, start: int, total: int, number: int, pages: int) -> Page:
    page = Page(items, start + 1 if shown else 0, start + shown, total, number, pages)
    if number > 1:
        page.prev_args = {"page": number - 1}
    if number < pages:
        page.next_args = {"page": number + 1}
    return page


# --- one delegation -----------------------------------------------------------------------------

def delegation_page(delegation: Delegation, lang: str, q: str = "", number=1,
                    per_page: int = PER_PAGE) -> tuple[Page, int]:
    """A delegation's delegates as its focal point sees them: those who hold a place first, heads
    first, then by name; withdrawn and rejected ones last. Returns the page and the places held
    (whatever the search). Four queries."""
    conditions = name_filter(q)
    matching = func.count().filter(and_(*conditions)) if conditions else func.count()
    held, total = 0, 0
    for status, n, found in db.session.execute(
            select(Delegate.status, func.count(), matching).where(Delegate.delegation_id == delegation.id)
            .group_by(Delegate.status)):
        held += n if status in ACTIVE_STATUSES else 0
        total += found
    pages = max(1, -(-total // per_page))
    number = _number(number, pages)
    start = (number - 1) * per_page
    place = func.row_number().over(order_by=(
        case((Delegate.status.in_(ACTIVE_STATUSES), 0), else_=1), ROLE_RANK, order_name(lang),
        Delegate.family_name, Delegate.given_name, Delegate.id)).label("place")
    # The order is computed on ids and keys only, then the hundred delegates are read.
    wanted = (select(Delegate.id, place).where(Delegate.delegation_id == delegation.id, *conditions)
              .order_by(place).offset(start).limit(per_page).subquery())
    delegates = db.session.scalars(
        select(Delegate).join(wanted, wanted.c.id == Delegate.id).order_by(wanted.c.place)
        .options(selectinload(Delegate.registrations).selectinload(SessionRegistration.session))).all()
    return _numbered(list(delegates), len(delegates), start, total, number, pages), held


# --- accreditation queue ------------------------------------------------------------------------

def queue_page(event: Event, status: str, delegation_id: int | None = None, q: str = "",
               after: int | None = None, before: int | None = None, per_page: int = PER_PAGE) -> Page:
    """Nominations in one status in the order they came (oldest first), optionally of one delegation
    and matching a search; two queries (the page and its counts).

    Paged by keyset (`after`/`before` a delegate's id), not by number: accrediting the first page
    moves the rest up, and the next page still starts where this one ended."""
    where = [Delegate.event_id == event.id, Delegate.status == status, *name_filter(q)]
    if delegation_id is not None:
        where.append(Delegate.delegation_id == delegation_id)
    query = select(Delegate).where(*where)
    if after is None and before is not None:
        rows = db.session.scalars(query.where(Delegate.id < before).order_by(Delegate.id.desc()).limit(per_page)).all()
        rows = list(reversed(rows))
    else:
        if after is not None:
            query = query.where(Delegate.id > after)
        rows = list(db.session.scalars(query.order_by(Delegate.id).limit(per_page)))
    if rows:
        total, earlier = db.session.execute(
            select(func.count(), func.count().filter(Delegate.id < rows[0].id)).where(*where)).one()
    else:
        total, earlier = db.session.scalar(select(func.count()).where(*where)), 0
    page = Page(rows, earlier + 1 if rows else 0, earlier + len(rows), total)
    if rows and earlier:
        page.prev_args = {"before": rows[0].id}
    if rows and page.last < total:
        page.next_args = {"after": rows[-1].id}
    return page



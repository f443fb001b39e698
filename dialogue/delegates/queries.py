"""The paginated lists of delegates at COP scale: participants, one delegation, the accreditation queue.

COP28 had 100,446 participants, 2,350 observer organisations and a delegation of 4,409. Each page
here loads in a fixed number of queries whatever those numbers, and is searchable by name through
the delegates' stored `search_name` (accents, case and script folded: "jose" finds José, "wang"
finds 王). Order follows the printed list: names without accents, Spanish ñ after n.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from cachetools import LRUCache
from sqlalchemy import Integer, and_, case, func, select, text, union_all
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..sessions.models import Event
from . import orders
from .models import (
    ACTIVE_STATUSES,
    DELEGATE_ROLES,
    ENYE_MARK,
    Delegate,
    Delegation,
    SessionRegistration,
    search_words,
)
from .services import PARTICIPANT_COLUMNS

PER_PAGE = 100
#: The index that counts delegates per delegation with their search keys (models.Delegate).
SEARCH_COUNT_INDEX = "ix_delegate_event_status_delegation"
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


def _person_order(lang: str) -> tuple:
    """Within a delegation: heads first, then alternates, advisers, members; by name; by id."""
    return ROLE_RANK, order_name(lang), Delegate.id


def order_name(lang: str):
    """The sort key of names in `lang`'s alphabet: ñ after n in Spanish, with n elsewhere."""
    if lang == "es":
        return func.replace(Delegate.sort_name, "ñ", "n" + ENYE_MARK)
    return func.replace(Delegate.sort_name, ENYE_MARK, "")


@dataclass
class DelegationRow:
    id: int
    kind: str
    name: str
    #: Its delegates in the status (and search) asked for.
    count: int


def delegations_with_counts(event: Event, lang: str, status: str, q: str = "", only: tuple = ()) -> list[DelegationRow]:
    """The event's delegations by kind, then in the alphabet of `lang`, each with its number of
    delegates in `status` whose names match the search `q` (and the conditions `only`); one query,
    whose counts read one index (and one more after the delegations changed).

    The order is kept (per event, language and version of its delegations): delegations change
    rarely, their counts on every accreditation, and reading and sorting 2,500 names costs more
    than counting. The version (how many, the last id, the last change) comes with the counts;
    the first time in a process the delegations come with them too."""
    counts = _counts(event, status, q, only)
    if not orders.is_known(event, lang):
        rows = db.session.execute(
            select(Delegation.id, Delegation.kind, Delegation.country, Delegation.name, counts.c.n,
                   *orders.version_columns(event.id))
            .outerjoin(counts, counts.c.delegation_id == Delegation.id).where(Delegation.event_id == event.id)).all()
        found = {row[0]: row[4] or 0 for row in rows}
        order = orders.delegation_order(event.id, lang, tuple(rows[0][5:]) if rows else None, [row[:4] for row in rows])
        orders.mark_known(event, lang)
    else:
        rows = db.session.execute(select(counts.c.delegation_id, counts.c.n, *orders.version_columns(event.id))).all()
        found = {row[0]: row[1] for row in rows}
        order = orders.delegation_order(event.id, lang, tuple(rows[0][2:]) if rows else None)
    return [DelegationRow(i, kind, name, found.get(i, 0)) for i, kind, name in order]


def _counts(event: Event, status: str, q: str, only: tuple = ()):
    """Delegates per delegation in `status` matching `q` and `only`, as a subquery (delegation_id, n)."""
    words = search_words(q or "")[:MAX_WORDS]
    if words and not only and db.engine.dialect.name == "sqlite":
        # SQLite would take the narrower index and read every name from the table (twice the time);
        # the wide one holds the names. SQLAlchemy renders no index hint for SQLite, hence the text.
        likes = "".join(f" AND search_name LIKE :w{i}" for i in range(len(words)))
        sql = text(f"SELECT delegation_id, count(*) AS n FROM delegate INDEXED BY {SEARCH_COUNT_INDEX} "  # noqa: S608
                   f"WHERE event_id = :event AND status = :status{likes} GROUP BY delegation_id")
        sql = sql.bindparams(event=event.id, status=status, **{f"w{i}": f"% {w}%" for i, w in enumerate(words)})
        return sql.columns(delegation_id=Integer, n=Integer).subquery()
    # PostgreSQL reads its trigram index for a search, when it has one; the narrow index otherwise.
    return (select(Delegate.delegation_id, func.count().label("n"))
            .where(Delegate.event_id == event.id, Delegate.status == status, *name_filter(q), *only)
            .group_by(Delegate.delegation_id).subquery())


def _number(value, pages: int) -> int:
    try:
        return min(max(int(value or 1), 1), pages)
    except (TypeError, ValueError):
        return 1


#: Delegations matching a typed name, at most this many shown (with their counts) at a time.
MATCHES_SHOWN = 20
#: (database, event id, language, version of its delegations) -> [(id, kind, name, search key)] in order.
_SEARCH_KEYS: LRUCache = LRUCache(maxsize=64)


@dataclass
class DelegationMatches:
    """The delegations whose names match what was typed: the first `MATCHES_SHOWN` in the list's
    order, each with its number in the status asked for; how many more; and the one meant, when
    the text is its whole name or names one delegation only."""

    found: list[DelegationRow]
    more: int
    #: The delegation meant (its count is not read: its queue gives it); `found` is then empty.
    chosen: DelegationRow | None


def find_delegations(event: Event, lang: str, typed: str, status: str) -> DelegationMatches:
    """Delegations of the event whose name (in `lang`) has a word starting with each word typed,
    whatever the accents, case or script; one query (and one more when several match, one when the
    delegations changed), whatever their number
    (a filter that scales where a select box of 2,500 delegations does not)."""
    words = search_words(typed)[:MAX_WORDS]
    if not words:
        return DelegationMatches([], 0, None)
    version = tuple(db.session.execute(select(*orders.version_columns(event.id))).one())
    key = (orders.database(), event.id, lang, version)
    with orders.LOCK:
        keyed = _SEARCH_KEYS.get(key)
    if keyed is None:
        keyed = [(i, kind, name, "".join(" " + w for w in search_words(name)))
                 for i, kind, name in orders.delegation_order(event.id, lang, version)]
        with orders.LOCK:
            _SEARCH_KEYS[key] = keyed
    matching = [d for d in keyed if all(" " + w in d[3] for w in words)]
    whole = "".join(" " + w for w in words)
    exact = [d for d in matching if d[3] == whole]
    shown = exact if len(exact) == 1 else matching[:MATCHES_SHOWN]
    if len(shown) == 1 and (exact or len(matching) == 1):  # the one meant: its queue says how many
        i, kind, name, _key = shown[0]
        return DelegationMatches([], 0, DelegationRow(i, kind, name, 0))
    counts = dict(db.session.execute(
        select(Delegate.delegation_id, func.count()).where(Delegate.delegation_id.in_([d[0] for d in shown]),
                                                           Delegate.status == status)
        .group_by(Delegate.delegation_id)).all()) if shown else {}
    found = [DelegationRow(i, kind, name, counts.get(i, 0)) for i, kind, name, _key in shown]
    return DelegationMatches(found, len(matching) - len(found), None)


def delegation_names(event: Event, lang: str, ids) -> dict[int, str]:
    """The names in `lang` of the event's delegations among `ids` (one query)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {i: orders.country(country, lang) if country else name for i, country, name in db.session.execute(
        select(Delegation.id, Delegation.country, Delegation.name)
        .where(Delegation.event_id == event.id, Delegation.id.in_(wanted)))}




# --- participants -------------------------------------------------------------------------------

@dataclass
class ParticipantBlock:
    """The participants of one delegation on a page; `continued` when it began on an earlier page."""

    delegation: DelegationRow
    people: list
    continued: bool


def participants_page(event: Event, lang: str, q: str = "", number=1, per_page: int = PER_PAGE,
                      only: tuple = ()) -> Page:
    """Accredited delegates in the order of the printed list (kind, delegation, heads first, name),
    `per_page` at a time, as `ParticipantBlock`s; two queries at any depth.

    Counts per delegation say which delegations a page number covers, and from which place in each;
    one query then numbers the delegates of those delegations only, so page 1,000 costs what page 1
    does. `only`: more conditions on the delegates (e.g. delegations whose credentials are in order)."""
    conditions = [*name_filter(q), *only]
    order = [d for d in delegations_with_counts(event, lang, "accredited", q, tuple(only)) if d.count]
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
        keys = _person_order(lang)
        base = [Delegate.event_id == event.id, Delegate.status == "accredited", *conditions]
        columns = (*PARTICIPANT_COLUMNS, ROLE_RANK.label("rank"), order_name(lang).label("key"))
        # Delegations the page shows whole, and at most two it shows part of (the first and the
        # last), each of those by ids sorted on the keys alone: sorting whole rows of a
        # delegation of 4,409, or numbering them all, costs several times more.
        whole = [d.id for d, lo, hi in segments if lo == 1 and hi == d.count]
        parts = [select(*columns).where(Delegate.id.in_(
                    select(Delegate.id).where(*base, Delegate.delegation_id == d.id)
                    .order_by(*keys).offset(lo - 1).limit(hi - lo + 1)))
                 for d, lo, hi in segments if not (lo == 1 and hi == d.count)]
        if whole:
            parts.append(select(*columns).where(*base, Delegate.delegation_id.in_(whole)))
        rows = db.session.execute(parts[0] if len(parts) == 1 else union_all(*parts)).all()
        position = {d.id: i for i, (d, _lo, _hi) in enumerate(segments)}
        rows.sort(key=lambda r: (position[r.delegation_id], r.rank, r.key, r.id))
        people: dict[int, list] = {d.id: [] for d, _lo, _hi in segments}
        for row in rows:
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
    keys = (case((Delegate.status.in_(ACTIVE_STATUSES), 0), else_=1), *_person_order(lang))
    # The order is found on ids and keys only (SQL keeps the top rows, it does not sort them all),
    # then the hundred delegates are read and put in the same order.
    wanted = (select(Delegate.id).where(Delegate.delegation_id == delegation.id, *conditions)
              .order_by(*keys).offset(start).limit(per_page))
    delegates = db.session.scalars(
        select(Delegate).where(Delegate.id.in_(wanted)).order_by(*keys)
        .options(selectinload(Delegate.registrations).selectinload(SessionRegistration.session))).all()
    return _numbered(list(delegates), len(delegates), start, total, number, pages), held


# --- accreditation queue ------------------------------------------------------------------------

def queue_page(event: Event, status: str, delegation_id: int | None = None, q: str = "",
               after: int | None = None, before: int | None = None, per_page: int = PER_PAGE,
               known_total: int | None = None) -> Page:
    """Nominations in one status in the order they came (oldest first), optionally of one delegation
    and matching a search; two queries (the page and where it starts); `known_total` is the
    number in the queue without a search, when the caller knows it.

    Paged by keyset (`after`/`before` a delegate's id), not by number: accrediting the first page
    moves the rest up, and the next page still starts where this one ended."""
    conditions = name_filter(q)
    # Without a search, the number in the queue is known from the counts per delegation.
    q_total = known_total if not conditions else None
    where = [Delegate.event_id == event.id, Delegate.status == status, *conditions]
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
        # The rows before this page: a range of one index. The total comes from the delegations'
        # counts the caller already has, unless a search narrows it.
        earlier = func.count().filter(Delegate.id < rows[0].id)
        if q_total is None:
            total, earlier = db.session.execute(select(func.count(), earlier).where(*where)).one()
        else:
            total, earlier = q_total, db.session.scalar(select(func.count()).where(*where, Delegate.id < rows[0].id))
    else:
        total, earlier = q_total if q_total is not None else db.session.scalar(select(func.count()).where(*where)), 0
    page = Page(rows, earlier + 1 if rows else 0, earlier + len(rows), total)
    if rows and earlier:
        page.prev_args = {"before": rows[0].id}
    if rows and page.last < total:
        page.next_args = {"after": rows[-1].id}
    return page



"""Delegations, their focal points and delegates, session sign-ups and API tokens."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from anyascii import anyascii
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import TimestampMixin, User, utcnow

DELEGATION_KINDS = ("member_state", "observer_state", "un_entity", "igo", "civil_society",
                    "private_sector", "academia", "other")
#: Kinds that stand for a country and take an ISO 3166 code rather than a name.
COUNTRY_KINDS = ("member_state", "observer_state")
DELEGATE_ROLES = ("head", "alternate", "adviser", "member")
ATTENDANCE = ("in_person", "online")
DELEGATE_STATUSES = ("nominated", "accredited", "rejected", "withdrawn")
#: Statuses that hold a place in the quota and an email address in the event.
ACTIVE_STATUSES = ("nominated", "accredited")
SALUTATIONS = ("ms", "mr", "mx", "he_ms", "he_mr", "dr", "prof", "none")
#: How a person writes their name: "María LÓPEZ" (given name first) or "LI Ming" (family name first).
NAME_ORDERS = ("given_family", "family_given")


class Delegation(TimestampMixin, db.Model):
    """A member state's or an organisation's delegation to one event."""

    __table_args__ = (UniqueConstraint("event_id", "country", name="uq_delegation_event_country"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: One of DELEGATION_KINDS.
    kind: Mapped[str] = mapped_column(String(20))
    #: ISO 3166-1 alpha-2 code for states; its name comes from Babel in each language.
    country: Mapped[str | None] = mapped_column(String(2))
    #: Name of an organisation (as it calls itself; not translated).
    name: Mapped[str] = mapped_column(String(200), default="")
    #: Most delegates that may hold a place (nominated or accredited) at once.
    quota: Mapped[int] = mapped_column(default=5)
    #: Organisers' extension of the nomination deadline for this delegation alone (naive UTC), and why.
    deadline_extended_to: Mapped[datetime | None]
    extension_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The deadline (naive UTC) for which the reminder was sent: once per delegation per deadline.
    reminded_for: Mapped[datetime | None]

    event: Mapped[Event] = relationship()  # noqa: F821
    delegates: Mapped[list[Delegate]] = relationship(back_populates="delegation", cascade="all, delete-orphan")
    focal_points: Mapped[list[FocalPoint]] = relationship(back_populates="delegation", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Delegation {self.country or self.name}>"


class FocalPoint(db.Model):
    """A user who registers the delegates of one delegation."""

    __table_args__ = (UniqueConstraint("user_id", "delegation_id", name="uq_focal_point_user_delegation"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    delegation: Mapped[Delegation] = relationship(back_populates="focal_points")


class Delegate(TimestampMixin, db.Model):
    """A person nominated by a focal point; organisers accredit or reject them."""

    __table_args__ = (
        # One email once per delegation among delegates who hold a place; a withdrawn or rejected
        # nomination frees it. The service checks first; this index settles races. The same email
        # in another delegation is taken and flagged for the organisers (`also_in_delegation_id`):
        # refusing it would tell a focal point who else is coming.
        Index("uq_delegate_delegation_email_active", "delegation_id", "email", unique=True,
              sqlite_where=text("status IN ('nominated', 'accredited')"),
              postgresql_where=text("status IN ('nominated', 'accredited')")),
        # The paginated lists: counts per delegation, with a name search, from the index alone; the
        # queue in order of nomination (keyset on id); one delegation's delegates in one status.
        Index("ix_delegate_event_status_delegation", "event_id", "status", "delegation_id", "search_name"),
        # The counts per delegation without a search read this narrower one (a third of the pages).
        Index("ix_delegate_event_status_delegation_id", "event_id", "status", "delegation_id"),
        Index("ix_delegate_event_status_id", "event_id", "status", "id"),
        Index("ix_delegate_delegation_status_id", "delegation_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    #: Copied from the delegation so that the email rule can be an index.
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    salutation: Mapped[str] = mapped_column(String(10), default="none")
    #: Names exactly as typed, in any script.
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    #: One of NAME_ORDERS: lists, badges and mails print the names in this order (see names.person_name).
    name_order: Mapped[str] = mapped_column(String(12), default="given_family", server_default="given_family")
    #: The name in the person's own script as they write it ("李明", "محمد علي"), when the names above are not.
    native_name: Mapped[str] = mapped_column(String(240), default="", server_default="")
    #: SHA-256 of the badge photo in the file storage (see photos.py): EXIF-free, cropped JPEG.
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    #: Title and institution, e.g. "Minister of Foreign Affairs".
    function: Mapped[str] = mapped_column(String(300), default="")
    #: Lower-cased.
    email: Mapped[str] = mapped_column(String(254))
    gender: Mapped[str] = mapped_column(String(12), default="undisclosed")
    role: Mapped[str] = mapped_column(String(10), default="member")
    attendance: Mapped[str] = mapped_column(String(10), default="in_person")
    status: Mapped[str] = mapped_column(String(12), default="nominated", index=True)
    #: Why an organiser rejected the nomination.
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Random code printed as a QR on the badge; organisers look it up to verify a badge.
    badge_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    decided_at: Mapped[datetime | None]
    #: Another delegation of the event that nominated the same email (shown to organisers only).
    #: Not a foreign key, so that the two paths from delegate to delegation stay unambiguous.
    also_in_delegation_id: Mapped[int | None]
    #: When the organisers were mailed about that (by `dialogue reminders send`).
    duplicate_noticed_at: Mapped[datetime | None]
    #: The order of paginated lists, from the names (see `sort_key`); set on every write.
    sort_name: Mapped[str] = mapped_column(Text().with_variant(Text(collation="C"), "postgresql"),
                                           default="", server_default="")
    #: " maria jose perez ..." every word of the names, folded and transliterated to Latin letters,
    #: each after a space, so that "jose" or "wang" finds José or 王 with one LIKE '% jose%'.
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The language of mails to the delegate (fr, es, en); by default the nominating focal point's.
    language: Mapped[str] = mapped_column(String(5), default="", server_default="")

    delegation: Mapped[Delegation] = relationship(back_populates="delegates")
    registrations: Mapped[list[SessionRegistration]] = relationship(
        back_populates="delegate", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def editable(self) -> bool:
        """A focal point may change or withdraw a nomination until an organiser decides on it."""
        return self.status == "nominated"

    def __repr__(self) -> str:
        return f"<Delegate {self.email} {self.status}>"


#: Spanish files ñ as a letter after n: the sort key writes it n + this, which the other
#: languages drop (see queries.order_name); the same mark as services.name_key.
ENYE_MARK = "\U0010fffd"


def _strip(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def sort_key(given_name: str, family_name: str) -> str:
    """The order of `services.name_key` (family, then given name; accents and case only to break
    ties) as one string that SQL compares as bytes: "perez" "\x01" "pérez" "\x01" "maria"..."""
    parts = []
    for name in (family_name or "", given_name or ""):
        folded = name.casefold()
        parts += [_strip(folded.replace("ñ", "n" + ENYE_MARK)), folded]
    return "\x01".join(parts)


def search_words(text: str) -> list[str]:
    """The words a name is found by, or a query looks for: without accents or case, and their
    Latin transliteration ("王" also as "wang")."""
    folded = _strip((text or "").casefold())
    words = re.findall(r"[^\W_]+", folded) + re.findall(r"[a-z0-9]+", anyascii(folded).lower())
    return list(dict.fromkeys(words))


def name_keys(given_name: str, family_name: str) -> tuple[str, str]:
    """(sort_name, search_name) of a delegate."""
    words = search_words(f"{given_name} {family_name}")
    return sort_key(given_name, family_name), "".join(" " + w for w in words)


@event.listens_for(Delegate, "before_insert")
@event.listens_for(Delegate, "before_update")
def _set_name_keys(_mapper, _connection, delegate: Delegate) -> None:
    delegate.sort_name, delegate.search_name = name_keys(delegate.given_name, delegate.family_name)


#: PostgreSQL only, when the pg_trgm extension is there: a trigram index on `search_name`, so that a
#: search (LIKE '% jose%') reads the few matching rows instead of every name. Created with the
#: table (below) and by migration 9e4b1d7c2f60; SQLite reads the names from the index above.
TRIGRAM_INDEX = "ix_delegate_search_name_trgm"


def create_trigram_index(conn) -> bool:
    """Create the extension (if this role may) and the trigram index; False when pg_trgm is not there."""
    if conn.dialect.name != "postgresql":
        return False
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except Exception:  # no such extension, or not allowed: search still works, reading every name
        return False
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON delegate USING gin (search_name gin_trgm_ops)"))
    return True


@event.listens_for(Delegate.__table__, "after_create")
def _trigram_index(_table, conn, **_kw) -> None:
    create_trigram_index(conn)


class SessionRegistration(db.Model):
    """A delegate's sign-up for one session of the event."""

    __table_args__ = (UniqueConstraint("delegate_id", "session_id", name="uq_session_registration_delegate_session"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_session.id", ondelete="CASCADE"), index=True)

    delegate: Mapped[Delegate] = relationship(back_populates="registrations")
    session: Mapped[MeetingSession] = relationship()  # noqa: F821


class ApiToken(db.Model):
    """A personal token with which a focal point's own system reads or pushes one delegation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: The one delegation it opens; None for a token made before tokens had a scope (refused: recreate it).
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    #: False: it may only read.
    can_write: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    #: After this (naive UTC) it is refused.
    expires_at: Mapped[datetime | None]
    label: Mapped[str] = mapped_column(String(100), default="")
    #: SHA-256 of the secret; the secret itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: First characters of the secret, to tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    delegation: Mapped[Delegation | None] = relationship()

    @property
    def valid_until(self) -> date | None:
        """The last day (UTC) it works: the expiry date chosen when it was made."""
        return (self.expires_at - timedelta(seconds=1)).date() if self.expires_at else None


class NominationWindow(db.Model):
    """When focal points may nominate delegates to an event (naive UTC), and when to remind them."""

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    #: Days before the deadline at which focal points of delegations without nominations are reminded.
    reminder_days: Mapped[int] = mapped_column(default=7, server_default="7")


CREDENTIALS_STATUSES = ("submitted", "received", "in_order", "incomplete")


class CredentialsLetter(db.Model):
    """A delegation's letter of credentials (note verbale): the file in STORAGE_DIR, and the organisers' check."""

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), unique=True)
    #: SHA-256 of the file, its name in STORAGE_DIR (see dialogue/jobs/storage.py).
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    #: application/pdf, image/png or image/jpeg, from the file's content.
    content_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200), default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: One of CREDENTIALS_STATUSES: submitted by the focal point, then received, in order, or incomplete.
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    #: What is missing, or any note of the organisers' decision.
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]

    delegation: Mapped[Delegation] = relationship()


from .personal_models import ChangeRequest, DelegateDetails, DetailsPolicy  # noqa: E402, F401  (their tables)

"""Key messages of sessions, their review, the outcome document and its immutable publications."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship
from sqlalchemy.orm import Session as OrmSession

from ..extensions import db
from ..models import TimestampMixin, User, utcnow

MESSAGE_STATUSES = ("draft", "submitted", "approved", "returned")
GROUPINGS = ("session", "theme")


class SessionRapporteur(db.Model):
    """A rapporteur assigned to one session: they draft its key messages, and only its."""

    __table_args__ = (UniqueConstraint("user_id", "session_id", name="uq_session_rapporteur_user_session"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_session.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    session: Mapped[MeetingSession] = relationship()  # noqa: F821


class OutcomeTheme(db.Model):
    """One of the event's themes (e.g. an objective of an action plan) that key messages are filed under."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    #: Translated title.
    title: Mapped[dict] = mapped_column(JSON, default=dict)


class KeyMessage(TimestampMixin, db.Model):
    """A key message of a session, drafted by its rapporteur and approved by an organiser."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_session.id", ondelete="CASCADE"), index=True)
    #: Order within the session.
    position: Mapped[int] = mapped_column(default=0)
    #: Light markup per language: {"fr": ..., "es": ..., "en": ...}; sanitised when rendered.
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Language the message was written in; the others are translations.
    original_language: Mapped[str] = mapped_column(String(5), default="en")
    #: Ids of OutcomeTheme rows, in the order chosen.
    themes: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    #: Optimistic lock: every save bumps it; a save based on an older version is a conflict.
    version: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Per translation (language code), the number of the revision whose original text it was made
    #: from: when the original text has changed since, the translation is out of date.
    translated_from: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    __mapper_args__ = {"version_id_col": version}

    session: Mapped[MeetingSession] = relationship()  # noqa: F821
    author: Mapped[User | None] = relationship()
    revisions: Mapped[list[KeyMessageRevision]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="KeyMessageRevision.number")
    comments: Mapped[list[KeyMessageComment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="KeyMessageComment.id")


class KeyMessageRevision(db.Model):
    """A snapshot of a key message after each change: who, when, what, and why."""

    __table_args__ = (UniqueConstraint("message_id", "number", name="uq_key_message_revision_message_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("key_message.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3... within the message.
    number: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: "create", "edit", "submit", "approve", "return".
    action: Mapped[str] = mapped_column(String(12))
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    original_language: Mapped[str] = mapped_column(String(5))
    themes: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(Text, default="")

    message: Mapped[KeyMessage] = relationship(back_populates="revisions")
    user: Mapped[User | None] = relationship()


COMMENT_KINDS = ("comment", "return", "note")


class KeyMessageComment(db.Model):
    """One post in the conversation of a key message, between its rapporteurs and the organisers.

    Kept for the life of the message, approval included: the thread is its review record.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("key_message.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: "comment" (anyone in the thread), "return" (the reason a message was returned), "note" (the
    #: app's own, e.g. a translation changed after approval).
    kind: Mapped[str] = mapped_column(String(12), default="comment")
    body: Mapped[str] = mapped_column(Text)

    message: Mapped[KeyMessage] = relationship(back_populates="comments")
    user: Mapped[User | None] = relationship()


class OutcomeDocument(TimestampMixin, db.Model):
    """The final document of an event, composed by its organisers (one per event)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    #: Document symbol, e.g. "ECS/2022/1".
    symbol: Mapped[str] = mapped_column(String(60), default="")
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    place: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The date the document bears.
    issued_on: Mapped[date | None]
    original_language: Mapped[str] = mapped_column(String(5), default="en")
    #: Unnumbered opening text.
    preamble: Mapped[dict] = mapped_column(JSON, default=dict)
    #: "session" or "theme".
    grouping: Mapped[str] = mapped_column(String(10), default="session")
    #: Ids of the sessions whose approved messages are included; empty means all.
    session_ids: Mapped[list] = mapped_column(JSON, default=list)
    #: Numbered paragraphs: lists of translated texts, [{"fr": ..., "es": ..., "en": ...}, ...].
    recommendations: Mapped[list] = mapped_column(JSON, default=list)
    next_steps: Mapped[list] = mapped_column(JSON, default=list)
    #: Paragraph keys the organisers chose to publish in their original language only.
    original_only: Mapped[list] = mapped_column(JSON, default=list)
    #: Per part of the document itself ("title", "preamble", "recommendations:2"...) and translation, the
    #: original text it was made from: when the original differs now, the translation is out of date.
    translated_from: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    #: Out-of-date translations the organisers chose to publish as they are ("km:ID:LANG:rREVISION",
    #: "doc:PART:LANG:HASH").
    accepted_outdated: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    #: "draft" until first published, then "published".
    status: Mapped[str] = mapped_column(String(12), default="draft")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship()  # noqa: F821
    publications: Mapped[list[Publication]] = relationship(
        back_populates="document", order_by="(Publication.version.desc(), Publication.language)")


class Publication(db.Model):
    """One published version of the outcome document in one language. Never changes."""

    __table_args__ = (UniqueConstraint("document_id", "version", "language",
                                       name="uq_publication_document_version_language"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("outcome_document.id", ondelete="CASCADE"), index=True)
    #: 1 for the first publication, then 2, 3...; the highest is current, the others superseded.
    version: Mapped[int]
    language: Mapped[str] = mapped_column(String(5))
    symbol: Mapped[str] = mapped_column(String(60), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    #: The document as HTML for the public page (already escaped and sanitised).
    html: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    #: Hex SHA-256 of `pdf`: the ETag of downloads and a checksum readers can verify.
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    #: Paragraph numbers published in their original language only.
    original_only: Mapped[list] = mapped_column(JSON, default=list)
    #: Revision mark after the first version, UN style: "Rev.1", "Corr.1", "Rev.1/Corr.1" ("" for the first).
    mark: Mapped[str] = mapped_column(String(40), default="", server_default="")
    #: The date the version bears (the document's date when it was published).
    issued_on: Mapped[date | None]
    #: SHA-256 of the content in every language, without the mark: an unchanged document is not republished.
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    #: The same version as a Word file (python-docx), for delegations to negotiate on; None before it existed.
    docx: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    docx_sha256: Mapped[str | None] = mapped_column(String(64))
    docx_size: Mapped[int | None]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    document: Mapped[OutcomeDocument] = relationship(back_populates="publications")
    by: Mapped[User | None] = relationship()


class PublicationImmutable(RuntimeError):
    """A published version was about to change."""


@sa_event.listens_for(OrmSession, "before_flush")
def _publications_never_change(session: OrmSession, flush_context, instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, Publication) and session.is_modified(obj, include_collections=False):
            raise PublicationImmutable(f"publication {obj.id} is immutable")
    for obj in session.deleted:
        if isinstance(obj, Publication):
            raise PublicationImmutable(f"publication {obj.id} is immutable")

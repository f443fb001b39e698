"""Tables of delegates' own details, what each event asks for and keeps, and changes after accreditation."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import utcnow

#: The personal fields an event may ask delegates for, in the order of the form.
DETAIL_FIELDS = ("document_number", "nationality", "birth_date", "arrival_date", "departure_date", "visa_letter")


class DetailsPolicy(db.Model):
    """Which personal fields an event asks for, and how long after it ends they are kept."""

    __tablename__ = "details_policy"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    #: Names from DETAIL_FIELDS; empty: the event asks for nothing.
    fields: Mapped[list] = mapped_column(JSON, default=list)
    #: Days after the event's last day when the details are erased.
    erase_after_days: Mapped[int] = mapped_column(default=30)


class DelegateDetails(db.Model):
    """A delegate's own personal details, as they typed them through their signed link."""

    __tablename__ = "delegate_details"
    id: Mapped[int] = mapped_column(primary_key=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    document_number: Mapped[str | None] = mapped_column(String(40))
    #: ISO 3166-1 alpha-2.
    nationality: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[date | None]
    arrival_date: Mapped[date | None]
    departure_date: Mapped[date | None]
    visa_letter: Mapped[bool | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    delegate: Mapped[Delegate] = relationship()  # noqa: F821


class ChangeRequest(db.Model):
    """A focal point's request to replace or withdraw an accredited delegate, and the organisers' decision."""

    __tablename__ = "delegate_change_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"), index=True)
    #: "substitute" or "withdraw".
    kind: Mapped[str] = mapped_column(String(12))
    #: "pending", "accepted" or "refused".
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: The replacement's fields as the delegate form takes them (for a substitution).
    replacement: Mapped[dict] = mapped_column(JSON, default=dict)
    replacement_id: Mapped[int | None] = mapped_column(ForeignKey("delegate.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    delegate: Mapped[Delegate] = relationship(foreign_keys=[delegate_id])  # noqa: F821
    delegation: Mapped[Delegation] = relationship()  # noqa: F821

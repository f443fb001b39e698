"""Finding accounts by email, in the one form emails are stored and compared."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import User


def normalise_email(email: str) -> str:
    """The form in which emails are stored and compared."""
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    """The account with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))

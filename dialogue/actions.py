"""How views call services: one error type for the domains, one way to end a transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash

from .auth import PermissionDenied
from .extensions import db


class DomainError(ValueError):
    """A rule that does not hold or input that is wrong, with a translated message and its field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def perform(action: Callable[[], Any], *, form=None, denied: int = 403) -> tuple[bool, Any]:
    """Run one service call for a view and end its transaction there.

    On success: commit, and return (True, what the call returned). A DomainError rolls back and
    is shown next to the form's field (`form.extra_errors`) when a form is given, else flashed;
    it returns (False, None). PermissionDenied rolls back and aborts with `denied` (404 where
    even the existence of the thing is private).
    """
    try:
        result = action()
    except PermissionDenied:
        db.session.rollback()
        abort(denied)
    except DomainError as error:
        db.session.rollback()
        if form is not None:
            form.extra_errors = {error.field or "": error.message}
        else:
            flash(error.message, "error")
        return False, None
    db.session.commit()
    return True, result

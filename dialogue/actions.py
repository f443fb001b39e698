"""How views call services: one error type for the domains, one way to end a transaction, and the
app-level handlers that answer DomainError and PermissionDenied in HTML or JSON."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, abort, flash, redirect, render_template, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .extensions import db, login_manager
from .permissions import PermissionDenied, hidden, signed_in


class DomainError(ValueError):
    """A rule that does not hold or input that is wrong, with a translated message and its field."""

    #: HTTP status of the answer when no view shows the error next to a form (API, app handler).
    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def wants_json() -> bool:
    """Whether the current request is the JSON API's (errors answered as JSON, never flashed)."""
    return request.path.startswith("/api/")


def perform(action: Callable[[], Any], *, form=None, denied: int = 403,
            conflict: str | Callable[[], DomainError] | None = None) -> tuple[bool, Any]:
    """Run one service call for a view and end its transaction there: the only commit of a view.

    On success: commit, and return (True, what the call returned). A DomainError rolls back and
    is shown next to the form's field (`form.extra_errors`) when a form is given, else flashed;
    it returns (False, the error). In the API a DomainError goes on to the app-level handler,
    which answers JSON. PermissionDenied rolls back and goes on to the app-level handler with the
    status `denied` (404 where even the existence of the thing is private). With `conflict` (a message,
    or a function making the DomainError), a concurrent change (a stale version, or a unique row
    written meanwhile) is that DomainError.
    """
    try:
        result = action()
        db.session.commit()
    except PermissionDenied as error:
        db.session.rollback()
        if denied == 404 and error.status != 404:
            raise hidden() from error
        raise
    except DomainError as error:
        db.session.rollback()
        if wants_json():
            raise
        _show(error, form)
        return False, error
    except (StaleDataError, IntegrityError) as error:
        db.session.rollback()
        if conflict is None:
            raise
        failure = conflict() if callable(conflict) else DomainError(str(conflict))
        if wants_json():
            raise failure from error
        _show(failure, form)
        return False, failure
    return True, result


def perform_posted(form, action: Callable[[], Any], done: str | Callable[[], str], *,
                   invalid: DomainError | None = None) -> tuple[bool, Any]:
    """A posted form's one service call, through perform, with the success flashed: the shape of the views
    that press a button on one thing (approve, submit, delete) or send it a required text (return, reject).

    `form` is checked first: when it does not validate, `invalid` (the DomainError saying what is missing)
    is flashed as perform shows any, or without one the request is a 400 (a button's form fails only when
    forged or expired). On success, `done` (or what it returns, for a message made after the change) is
    flashed. Returns what perform returns.
    """
    if invalid is None and not form.validate_on_submit():
        abort(400)

    def checked():
        if invalid is not None and not form.validate_on_submit():
            raise invalid
        return action()
    ok, result = perform(checked)
    if ok:
        flash(done() if callable(done) else done, "success")
    return ok, result


def _show(error: DomainError, form) -> None:
    if form is not None:
        form.extra_errors = {error.field or "": error.message}
    else:
        flash(error.message, "error")


def _back() -> str | None:
    """The page a form was sent from, when it is one of ours (same host)."""
    referrer = request.referrer or ""
    base = request.host_url
    return referrer if referrer.startswith(base) and referrer != request.url else None


def register_domain_errors(app: Flask) -> None:
    """Answer errors that leave a view: DomainError as 422 (or its status), PermissionDenied as 403/404.

    The API gets {"error", "field", "status"}; pages get the message flashed on the page the form
    came from, or an error page; a visitor who is not signed in is sent to the sign-in page.
    """
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if wants_json():
            body = {"error": error.message, "status": error.status}
            if error.field:
                body["field"] = error.field
            return body, error.status
        back = _back()
        if request.method != "GET" and back:
            flash(error.message, "error")
            return redirect(back, 303)
        return render_template("errors/error.html", code=400, message=error.message), error.status

    @app.errorhandler(PermissionDenied)
    def permission_denied(error: PermissionDenied):
        db.session.rollback()
        if wants_json():
            return {"error": error.message, "status": error.status}, error.status
        if error.status != 404 and not signed_in(current_user):
            return login_manager.unauthorized()
        return render_template("errors/error.html", code=error.status,
                               message=error.message if error.status != 404 else None), error.status

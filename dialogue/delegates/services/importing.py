"""Importing delegates from a file: every row or none, each error with its row and field."""
from __future__ import annotations

from flask_babel import gettext as _

from ...imports import RowError, RowsRejected, duplicate, file_error
from ...models import audit
from ...permissions import can_edit_delegation, ensure
from ...sessions.labels import GENDER_LABELS
from ..labels import ATTENDANCE_LABELS, DELEGATE_ROLE_LABELS, SALUTATION_LABELS
from ..models import Delegate, Delegation
from .errors import DelegationError
from .nominations import _active_count, _lock, nominate
from .validation import FIELDS, clean_delegate
from .window import WindowClosed, ensure_open

#: Email of the example row of the import template; a file that still has that row is refused.
EXAMPLE_EMAIL = "maria.nunez@example.org"


def _choice_message(name: str, value) -> str | None:
    """For a file: the values a choice column accepts, as labels in the user's language."""
    labels = {"salutation": SALUTATION_LABELS, "gender": GENDER_LABELS, "role": DELEGATE_ROLE_LABELS,
              "attendance": ATTENDANCE_LABELS}.get(name)
    if labels is None or not isinstance(value, str):
        return None
    choices = ", ".join(str(label) for code, label in labels.items() if code != "none")
    # No full stop after the list: labels such as "Prof." end with one.
    return _("\"%(value)s\" is not accepted here. Write one of: %(choices)s", value=value.strip(), choices=choices)


class ImportFailed(RowsRejected, DelegationError):
    """A file with errors: nothing was imported; each error names its row and field."""


def import_delegates(delegation: Delegation, rows: list[tuple[int, dict]], by) -> list[Delegate]:
    """Nominate every row or none: a single wrong row, or too many rows for the quota, imports nothing.

    `rows` are (row number in the file, {field: value}). The caller rolls back on ImportFailed.
    """
    ensure(can_edit_delegation, by, delegation)
    try:
        ensure_open(delegation, by)
    except WindowClosed as closed:
        raise ImportFailed([file_error(closed.message)]) from None
    errors: list[RowError] = []
    cleaned: list[tuple[int, dict]] = []
    seen_emails: dict[str, int] = {}
    heads = []
    for number, data in rows:
        clean, row_errors = clean_delegate(delegation.event, data)
        for name in FIELDS:
            if name in row_errors:
                message = _choice_message(name, data.get(name)) if name in ("salutation", "gender", "role", "attendance") \
                    else None
                errors.append(RowError(number, name, message or row_errors[name]))
        if clean["email"] == EXAMPLE_EMAIL:
            errors.append(RowError(number, "email", _("This is the template's example row: delete it or write over it.")))
        if clean["email"] and "email" not in row_errors:
            duplicate(errors, seen_emails, clean["email"], number, "email",
                      lambda row: _("The same email address is on row %(row)d.", row=row))
        if clean["role"] == "head":
            heads.append(number)
        cleaned.append((number, clean))
    if len(heads) > 1:
        errors.append(RowError(heads[1], "role", _("Only one head of delegation: rows %(rows)s all say head.",
                                                  rows=", ".join(map(str, heads)))))
    if not rows:
        errors.append(file_error(_("The file has no delegates.")))
    if errors:
        raise ImportFailed(errors)
    _lock(delegation)
    free = delegation.quota - _active_count(delegation)
    if len(cleaned) > free:
        raise ImportFailed([file_error(_("The file has %(rows)d delegates but only %(free)d places are free in the quota.",
                                                  rows=len(cleaned), free=max(free, 0)))])
    made = []
    for number, clean in cleaned:
        try:
            made.append(nominate(delegation, clean | {"sessions": [s.code for s in clean["sessions"]]}, by))
        except DelegationError as error:
            errors.append(RowError(number, error.field or "file", error.message))
    if errors:
        raise ImportFailed(errors)
    audit("delegate.import", user=by, event=delegation.event, target=f"delegation:{delegation.id}", rows=len(made))
    return made

"""The errors of the delegations domain: a message for the user and the field it concerns."""
from __future__ import annotations

from ...actions import DomainError


class DelegationError(DomainError):
    """Invalid input or a rule that does not hold, with a message and the field it concerns."""


class QuotaReached(DelegationError):
    """The delegation has no free place."""

    status = 409

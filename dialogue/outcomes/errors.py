"""The error of the outcomes domain: invalid input for key messages or the outcome document."""
from __future__ import annotations

from ..actions import DomainError


class OutcomeError(DomainError):
    """Invalid input for key messages or the outcome document, with the field it concerns."""

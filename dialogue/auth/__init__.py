"""Accounts and roles: role checks, invitations, signed links (services in auth.accounts, pages in auth.views)."""
from .invitations import get_or_create_user, invite
from .roles import PermissionDenied, events_with_role, grant_role, has_role, organised_event_ids
from .tokens import invitation_token, invitation_url, reset_token, sign_in_token, user_from_token
from .users import find_user, normalise_email

__all__ = [
    "PermissionDenied", "events_with_role", "find_user", "get_or_create_user", "grant_role", "has_role", "invitation_token",
    "invitation_url", "invite", "normalise_email", "organised_event_ids", "reset_token", "sign_in_token",
    "user_from_token",
]

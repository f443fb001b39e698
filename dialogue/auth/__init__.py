"""Accounts and roles: sign-in with lock-out, mailed links, sessions, role checks (views in auth.views)."""
from .accounts import authenticate, find_user, normalise_email, request_password_reset, set_new_password, sign_out
from .invitations import get_or_create_user, invite
from .roles import (
    ROLE_LABELS,
    PermissionDenied,
    ensure_organiser,
    grant_role,
    has_role,
    organised_event_ids,
    require_role,
)
from .tokens import invitation_token, invitation_url, reset_token, sign_in_token, user_from_token

__all__ = [
    "ROLE_LABELS", "PermissionDenied", "authenticate", "ensure_organiser", "find_user", "get_or_create_user",
    "grant_role", "has_role", "invitation_token", "invitation_url", "invite", "normalise_email",
    "organised_event_ids", "request_password_reset", "require_role", "reset_token", "set_new_password",
    "sign_in_token", "sign_out", "user_from_token",
]

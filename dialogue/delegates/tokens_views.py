"""Pages of API tokens: a focal point makes a token for one delegation (read only or read and write,
until a date), sees when each was last used, and revokes them."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import perform
from ..models import utcnow
from .forms import TokenForm
from .views import LABELS, _delegation, bp


@bp.route("/<id:delegation_id>/tokens", methods=["GET", "POST"])
def tokens(slug: str, delegation_id: int):
    """The user's tokens for this delegation, and the form that makes one (its secret shown once)."""
    from . import api
    d = _delegation(slug, delegation_id)
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        ok, made = perform(lambda: api.create_token(current_user, form.label.data, d, can_write=form.access.data == "write",
                                                    expires_on=form.expires_on.data), form=form)
        secret = made[1] if ok else None  # shown once: only its hash is kept
    status = 422 if request.method == "POST" and secret is None else 200
    return render_template("delegates/tokens.html", form=form, event=d.event, delegation=d, secret=secret,
                           tokens=api.user_tokens(current_user, d), now=utcnow(), **LABELS), status


@bp.post("/<id:delegation_id>/tokens/<id:token_id>/revoke")
def token_revoke(slug: str, delegation_id: int, token_id: int):
    """Revoke one of the user's tokens: the API refuses it from now on."""
    from . import api
    d = _delegation(slug, delegation_id)
    _ok, revoked = perform(lambda: api.revoke_token(current_user, token_id))
    if not revoked:
        abort(404)
    flash(_("The token is revoked."), "success")
    return redirect(url_for("delegates.tokens", slug=slug, delegation_id=d.id))


"""The focal point's page that starts a delegation from one of theirs at an earlier event."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from ..actions import perform
from ..extensions import db
from . import reuse
from .labels import KIND_LABELS, role_label
from .models import Delegation
from .services.listing import places
from .views import _delegation, display_name

bp = Blueprint("delegates_reuse", __name__, url_prefix="/<lang>/events/<slug>/delegations")


def register(app: Flask) -> None:
    """Plug the reuse page into the app."""
    app.register_blueprint(bp)


def _chosen() -> list[int]:
    """The people ticked, as ids (anything else in the form is ignored)."""
    ids = []
    for value in request.form.getlist("person")[:reuse.MOST + 1]:
        if value.isdigit() and len(value) < 12:
            ids.append(int(value))
    return ids


def _render(target: Delegation, chosen: dict[int, set[int]] | None = None, status: int = 200):
    earlier = reuse.earlier_delegations(current_user, target, g.lang)
    return render_template("delegates/reuse.html", event=target.event, delegation=target, earlier=earlier,
                           chosen=chosen or {}, held=places(target), present=reuse.already_here(target), display_name=display_name,
                           KIND_LABELS=KIND_LABELS, role_label=role_label), status


@bp.get("/<id:delegation_id>/reuse")
def page(slug: str, delegation_id: int):
    """The focal point's delegations of earlier events, each with its people and a copy button."""
    return _render(_delegation(slug, delegation_id))


@bp.post("/<id:delegation_id>/reuse/<id:source_id>")
def copy(slug: str, delegation_id: int, source_id: int):
    """Nominate the people ticked in an earlier delegation: all of them, or none and say why."""
    target = _delegation(slug, delegation_id)
    source = db.session.get(Delegation, source_id) or abort(404)
    chosen = _chosen()
    ok, made = perform(lambda: reuse.copy_people(source, target, chosen, current_user), denied=404)
    if not ok:
        return _render(target, {source.id: set(chosen)}, 422)
    flash(ngettext("%(num)d person copied as a nomination.", "%(num)d people copied as nominations.", len(made)),
          "success")
    return redirect(url_for("delegates.delegation", slug=slug, delegation_id=target.id))

"""Delegations, focal points and delegates for tests, built through the real models."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from dialogue.auth import grant_role
from dialogue.delegates.models import Delegate, Delegation, FocalPoint
from dialogue.extensions import db

from .. import factories as f


def delegation(ev, country="PE", *, kind="member_state", name="", quota=5, focal_point=None) -> Delegation:
    d = Delegation(event=ev, kind=kind, country=country if kind in ("member_state", "observer_state") else None,
                   name=name, quota=quota)
    db.session.add(d)
    db.session.flush()
    if focal_point is not None:
        grant_role(focal_point, ev, "focal_point")
        db.session.add(FocalPoint(user=focal_point, delegation=d))
    db.session.commit()
    return d


def focal_point(ev, country="PE", **kwargs) -> tuple:
    """A user who is the focal point of a new delegation: (user, delegation)."""
    user = f.user()
    return user, delegation(ev, country, focal_point=user, **kwargs)


def delegate(d: Delegation, given="Ana", family=None, *, status="nominated", role="member", gender="female",
             email=None, commit=True, **extra) -> Delegate:
    n = f._next()
    x = Delegate(delegation=d, event_id=d.event_id, given_name=given, family_name=family or f"Family{n}",
                 email=email or f"delegate{n}@example.org", status=status, role=role, gender=gender, **extra)
    if status == "accredited":
        x.badge_code = f"code{n}"
    db.session.add(x)
    if commit:
        db.session.commit()
    return x


def many_delegates(d: Delegation, n: int, *, status="accredited") -> None:
    for i in range(n):
        delegate(d, f"Given{i}", f"Family{i}", status=status, role="head" if i == 0 else "member", commit=False)
    db.session.commit()


def upload(client, ev, d, content: bytes, name="delegates.csv", lang="en"):
    """Send a file of delegates to the delegation's import form, as the signed-in user's browser does."""
    return client.post(f"/{lang}/events/{ev.slug}/delegations/{d.id}/import",
                       data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def count() -> int:
    """How many delegates there are, in all events."""
    return db.session.scalar(select(func.count(Delegate.id)))

"""Helpers for browser tests: sign in, screenshots, axe-core."""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from dialogue.config import ROOT
from dialogue.demo import DEMO_PASSWORD, SLUG

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ORGANISER = "organiser@example.org"
FOCAL_POINT = "focal.point@example.org"
LANGS = ("fr", "es", "en")

__all__ = ["ARTIFACTS", "CHROMIUM", "DEMO_PASSWORD", "FOCAL_POINT", "LANGS", "ORGANISER", "SLUG", "axe_violations",
           "event_next_month", "login", "screenshot"]


def login(page, email: str = ORGANISER, password: str = DEMO_PASSWORD, lang: str = "en") -> None:
    """Sign in through the login form and wait for the page after it."""
    page.goto(f"/{lang}/account/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form.stacked [type=submit]").click()
    assert "/account/login" not in page.url, f"login failed for {email}"


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page into test-artifacts/ (git-ignored) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


_axe = None


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations on the current page with one of these impacts."""
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe
        _axe = Axe()
    results = _axe.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict]) -> str:
    """A readable summary of axe violations for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def event_next_month(slug: str, title: dict, *, tz: str, quota: int):
    """In the live app's context: a published event of three days from a month ahead, asking for every
    personal detail, of the demo organiser, with a Peruvian delegation of `quota` places whose focal point
    is the demo one; (event, delegation), committed."""
    from dialogue.delegates.personal_models import DETAIL_FIELDS, DetailsPolicy
    from dialogue.extensions import db
    from dialogue.models import User

    from .. import factories as f
    from ..delegates import factories as df
    demo = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_([ORGANISER, FOCAL_POINT])))}
    soon = date.today() + timedelta(days=30)
    ev = f.event(slug, tz=tz, starts=soon, ends=soon + timedelta(days=2), title=title, organiser=demo[ORGANISER])
    d = df.delegation(ev, "PE", quota=quota, focal_point=demo[FOCAL_POINT])
    db.session.add(DetailsPolicy(event_id=ev.id, fields=list(DETAIL_FIELDS)))
    db.session.commit()
    return ev, d

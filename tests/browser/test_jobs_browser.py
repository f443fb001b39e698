"""An organiser asks for the badges, watches the bar move without a reload, and downloads the ZIP, in each language."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from .helpers import ORGANISER, login, screenshot

SLUG = "badges-browser"


@pytest.fixture(scope="module")
def crowded_event(live_app):
    """A second event of the demo organiser, with 6 delegations of 20 accredited delegates (120 badges)."""
    from dialogue.auth import grant_role
    from dialogue.delegates.models import Delegate, Delegation
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.sessions.models import Event

    with live_app.app_context():
        if db.session.scalar(db.select(Event).where(Event.slug == SLUG)) is None:
            event = Event(slug=SLUG, title={"fr": "Réunion nombreuse", "es": "Reunión numerosa", "en": "A crowded meeting"},
                          original_language="en", starts_on=date(2022, 12, 12), ends_on=date(2022, 12, 13),
                          timezone="Europe/Zurich", status="draft")
            db.session.add(event)
            db.session.flush()
            grant_role(db.session.scalar(db.select(User).where(User.email == ORGANISER)), event, "organiser")
            for country in ("AR", "BO", "BR", "CL", "CO", "EC"):
                delegation = Delegation(event=event, kind="member_state", country=country, quota=50)
                db.session.add(delegation)
                for i in range(20):
                    db.session.add(Delegate(delegation=delegation, event_id=event.id, given_name=f"Nombre{i}",
                                            family_name=f"Apellido {country} {i:02d}", status="accredited",
                                            email=f"{country}{i}@example.org", badge_code=f"{country}{i:06d}"))
            db.session.commit()
    return SLUG


@pytest.mark.parametrize("lang,button,words,download", [
    ("fr", "Badges (ZIP de PDF, un par délégation)", "Impression des badges", "Télécharger"),
    ("es", "Credenciales (ZIP de PDF, uno por delegación)", "Generando credenciales", "Descargar"),
    ("en", "Badges (ZIP of PDFs, one per delegation)", "Rendering badges", "Download"),
])
def test_organiser_watches_the_badges_bar_move_then_downloads(page, crowded_event, lang, button, words, download):
    login(page, ORGANISER, lang=lang)
    page.goto(f"/{lang}/manage/events/{crowded_event}/participants")
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert f"/{lang}/jobs/" in page.url
    job_url = page.url
    page.evaluate("window.stillTheSamePage = true")
    # The bar moves by script: a value between the start and the end, then the download link.
    page.wait_for_function("() => { const p = document.querySelector('.job progress');"
                           " return p.value > 0 && p.value < p.max; }", timeout=120_000)
    assert words in page.inner_text(".job-text")
    assert "120" in page.inner_text(".job-text")
    screenshot(page, f"jobs-badges-moving-{lang}")
    page.wait_for_selector(".job-download:not([hidden])", timeout=180_000)
    assert page.evaluate("window.stillTheSamePage") is True and page.url == job_url
    screenshot(page, f"jobs-badges-ready-{lang}")
    filled_by_script = page.inner_text(".job-download a")
    assert filled_by_script.startswith(download) and ".zip)" in filled_by_script
    with page.expect_download() as info:
        page.locator(".job-download a").click()
    with zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read())) as archive:
        names = archive.namelist()
        assert len(names) == 6 and all(archive.read(n).startswith(b"%PDF") for n in names)
    # Without script, a reload shows the same finished state.
    page.reload()
    assert page.locator(".job-download:not([hidden])").count() == 1
    assert page.inner_text(".job-download a") == filled_by_script  # the same words as the script wrote

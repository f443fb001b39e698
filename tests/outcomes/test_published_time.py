"""The public outcome page says when it was published in the event's time zone, named with its offset, to the minute."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from dialogue.extensions import db
from dialogue.outcomes.models import Publication

from . import factories as of


@pytest.fixture
def published(app, jobs):
    ev, _s, org, _rap, _reviewer = of.reviewed(
        {"es": "Los datos abiertos mejoran la rendición de cuentas.", "fr": "Les données ouvertes améliorent la redevabilité.",
         "en": "Open data improve accountability."}, tz="America/Lima")
    of.publish(of.document(ev, org), org, jobs)
    db.session.execute(update(Publication).values(published_at=datetime(2026, 11, 26, 4, 50, 1)))  # stored as UTC
    db.session.commit()
    return ev


@pytest.mark.parametrize("lang,words", [
    ("fr", "Publié le 25 novembre 2026, 23:50 (America/Lima, UTC-05:00)."),
    ("es", "Publicado el 25 de noviembre de 2026, 23:50 (America/Lima, UTC-05:00)."),
    ("en", "Published on 25 November 2026, 23:50 (America/Lima, UTC-05:00)."),
])
def test_publication_time_in_the_event_s_zone_with_its_offset(published, client, lang, words):
    page = client.get(f"/{lang}/events/{published.slug}/outcome/").get_data(as_text=True)
    assert words in page
    assert ":01" not in page.split(words[:8])[1][:60]  # no seconds

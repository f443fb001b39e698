"""The two badges files (every delegation, or only those whose credentials are in order) say what they
hold: a label of their own in the files list and on the progress page, and a filename of their own."""
import io
import re
import zipfile

import pytest

from dialogue.delegates import services
from dialogue.extensions import db

from .. import factories as f
from ..workers import fetch
from . import factories as df

LABELS = {"fr": ("Badges", "Badges (lettres de créance en règle seulement)"),
          "es": ("Credenciales", "Credenciales (cartas credenciales en regla solamente)"),
          "en": ("Badges", "Badges (credentials in order only)")}


def disposition_name(response) -> str:
    return re.search(r'filename="?([^";]+)', response.headers["Content-Disposition"]).group(1)


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_badges_files_with_and_without_the_filter_differ_in_label_and_name(jobs, app, client, auth, lang):
    org = f.user()
    ev = f.event(organiser=org)
    fp, peru = df.focal_point(ev, "PE")
    df.delegate(peru, "Rosa", "Quispe", status="accredited")
    df.delegate(df.delegation(ev, "CO"), "Juan", "Valdés", status="accredited")
    services.upload_credentials(peru, "letter.pdf", f.blank_pdf(), fp)
    services.decide_credentials(peru, "in_order", "", org)
    db.session.commit()
    auth.login(org.email, lang=lang)
    every = fetch(client, jobs, f"/{lang}/manage/events/{ev.slug}/badges.pdf")
    only = fetch(client, jobs, f"/{lang}/manage/events/{ev.slug}/badges.pdf?credentials=in_order")
    with zipfile.ZipFile(io.BytesIO(only.data)) as archive:
        assert len(archive.namelist()) == 1  # the filter held
    assert disposition_name(every) == f"{ev.slug}-badges-{lang}.zip"
    assert disposition_name(only) == f"{ev.slug}-badges-credentials-in-order-{lang}.zip"
    page = client.get(f"/{lang}/manage/events/{ev.slug}/jobs/").get_data(as_text=True)
    labels = re.findall(r'<a href="/\w\w/jobs/\d+">([^<]+)</a>', page)
    plain, filtered = LABELS[lang]
    assert sorted(labels) == sorted([plain, filtered])

"""Right-to-left names: aligned right and set in an Arabic font on badges and in the participants PDF."""
import subprocess

import pytest

from dialogue.auth import grant_role
from dialogue.delegates.views import text_dir
from dialogue.extensions import db

from .. import factories as f
from ..workers import badge_pdfs, fetch
from . import factories as df


def test_text_dir_follows_the_first_letter_with_a_direction():
    assert text_dir("محمد", "العلي") == "rtl"
    assert text_dir("", "  (العلي)") == "rtl"
    assert text_dir("María José", "Núñez") == "ltr"
    assert text_dir("丽", "王") == "ltr"
    assert text_dir("123 ", "שרה") == "rtl"


def _fonts(data: bytes) -> str:
    try:
        return subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    except (FileNotFoundError, subprocess.CalledProcessError):
        pytest.skip("pdffonts (poppler-utils) is not installed")


def test_arabic_names_are_right_to_left_in_an_arabic_font(jobs, app, client, auth):
    org = f.user()
    ev = f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    d = df.delegation(ev, "EG")
    df.delegate(d, "محمد", "العلي", status="accredited", role="head", gender="male", salutation="he_mr")
    china = df.delegation(ev, "CN")
    df.delegate(china, "丽", "王", status="accredited", role="head")
    auth.login(org.email)
    from flask import render_template

    from dialogue.delegates import services, views
    from dialogue.delegates.list_pdf import Group, Listed, Part
    with app.test_request_context(f"/es/manage/events/{ev.slug}/participants"):
        groups = [Group(g.kind, delegations=[Listed(d.id, name, people) for d, name, people in g.delegations])
                  for g in services.participants(ev, "es")]
        html = render_template("pdf/participants.html", lang="es", event=ev, groups=groups, part=Part(True, "Lista"),
                               display_name=views.display_name, **views.LABELS)
    assert '<p class="participant" dir="rtl"><span dir="ltr">' in html
    assert '<p class="participant" dir="ltr">' in html
    # DejaVu has Arabic letters: without the Arabic fonts first, badges set the names in it.
    badges = fetch(client, jobs, f"/es/manage/events/{ev.slug}/badges.pdf")
    assert "Noto-Sans-Arabic" in "".join(_fonts(pdf) for pdf in badge_pdfs(badges.data))
    assert "Noto-Naskh-Arabic" in _fonts(fetch(client, jobs, f"/es/manage/events/{ev.slug}/participants.pdf").data)
    page = client.get(f"/es/manage/events/{ev.slug}/participants").get_data(as_text=True)
    assert "<bdi>محمد العلي</bdi>" in page

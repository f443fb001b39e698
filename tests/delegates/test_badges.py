"""Badges that fit: the longest names the form takes, in Latin, Arabic and CJK scripts, with and without a
photo, stay inside their badge and clear of the QR code, in the person's name order, in fr, es and en."""
import io
import os
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from dialogue.auth import grant_role
from dialogue.delegates import photos
from dialogue.delegates.badges import BADGE, lines_needed
from dialogue.extensions import db

from .. import factories as f
from ..workers import badge_pdfs, fetch
from . import factories as df

MM = 72 / 25.4
#: 120 characters, the form's limit, in three scripts; one Latin name has no space at all.
LATIN = ("Wolfeschlegelsteinhausenbergerdorff Vorschriftsmäßigkeitsüberprüfungsausschuss "
         "Montgomery-Fitzwilliam de la Tour d'Auvergne")[:120].ljust(120, "x")
LATIN_ONE_WORD = ("Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch" * 3)[:120]
ARABIC = ("عبد الرحمن بن محمد بن عبد الله آل سعود الهاشمي القرشي " * 3)[:120]
CJK = ("欧阳诸葛司马上官东方皇甫尉迟公孙慕容长孙宇文司徒" * 6)[:120]
#: Where PNGs of the badges go to be looked at (unset: nowhere).
PNG_DIR = os.environ.get("BADGE_PNG_DIR")


def jpeg(size=(900, 600), color=(180, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def long_names_event():
    org = f.user()
    ev = f.event()
    grant_role(org, ev, "organiser")
    peru = df.delegation(ev, "PE", quota=20)
    long_org = df.delegation(ev, None, kind="igo", quota=5,
                             name=("Organisation intergouvernementale pour la coopération " * 4)[:200].strip())  # the form allows 200
    photo = photos.store(jpeg())
    people = [
        df.delegate(peru, "Ana María", LATIN, status="accredited", role="head"),
        df.delegate(peru, LATIN[:120], LATIN_ONE_WORD, status="accredited", photo_sha256=photo),
        df.delegate(peru, ARABIC, ARABIC, status="accredited"),
        df.delegate(peru, ARABIC, ARABIC, status="accredited", photo_sha256=photo),
        df.delegate(peru, CJK, CJK, status="accredited", name_order="family_given", native_name=CJK * 2),
        df.delegate(peru, CJK, CJK, status="accredited", name_order="family_given", photo_sha256=photo),
        df.delegate(peru, "Ming", "Li", status="accredited", name_order="family_given", native_name="李明",
                    photo_sha256=photo),
        df.delegate(long_org, "María", "López", status="accredited"),
    ]
    db.session.commit()
    return org, ev, people


def badge_boxes(page):
    """The badges' outlines on a page: the rectangles of 85 × 56 mm."""
    boxes = {}
    for r in page.rects:  # a border is drawn as more than one rectangle: one box per corner
        if abs(r["width"] - BADGE[0] * MM) < 2 and abs(r["height"] - BADGE[1] * MM) < 2:
            boxes.setdefault((round(r["x0"] / 5), round(r["top"] / 5)), (r["x0"], r["top"], r["x1"], r["bottom"]))
    return list(boxes.values())


def inside(char, box, slack=0.5) -> bool:
    return (char["x0"] >= box[0] - slack and char["x1"] <= box[2] + slack
            and char["top"] >= box[1] - slack and char["bottom"] <= box[3] + slack)


def overlaps(char, box) -> bool:
    return char["x0"] < box[2] and char["x1"] > box[0] and char["top"] < box[3] and char["bottom"] > box[1]


def test_a_long_word_takes_more_lines_in_a_narrower_box():
    assert lines_needed(LATIN_ONE_WORD, 77, 8) < lines_needed(LATIN_ONE_WORD, 54, 8)
    assert lines_needed("Ana", 54, 16) == 1


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_longest_names_stay_inside_their_badge_and_clear_of_the_qr_code(jobs, app, client, auth, lang, tmp_path):
    org, ev, _people = long_names_event()
    auth.login(org.email)
    response = fetch(client, jobs, f"/{lang}/manage/events/{ev.slug}/badges.pdf")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    pdfs = badge_pdfs(response.data)
    assert len(pdfs) == 2
    seen_badges, ellipses, photos_drawn = 0, 0, 0
    for number, pdf in enumerate(pdfs):
        if PNG_DIR:
            Path(PNG_DIR).mkdir(parents=True, exist_ok=True)
            (Path(PNG_DIR) / f"badges-{lang}-{number}.pdf").write_bytes(pdf)
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-", str(Path(PNG_DIR) / f"badges-{lang}-{number}")],
                           input=pdf, check=True)
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            for page in document.pages:
                boxes = badge_boxes(page)
                seen_badges += len(boxes)
                qr_codes = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in page.images
                            if abs(i["width"] - 22 * MM) < 1 and abs(i["height"] - 22 * MM) < 1]
                photos_drawn += sum(1 for i in page.images if abs(i["width"] - 20 * MM) < 1)
                assert len(qr_codes) == len(boxes)
                # Not the page's heading (18 pt, for screen readers, clipped to 1 px): no badge text is over 16 pt.
                chars = [c for c in page.chars if c["text"].strip() and c["size"] < 17]
                ellipses += sum(1 for c in chars if c["text"] == "…")
                for c in chars:
                    if c["top"] > page.height - 14 * MM:  # the page number in the bottom margin
                        continue
                    home = [b for b in boxes if inside(c, b)]
                    assert len(home) == 1, f"{c['text']!r} at {c['x0']:.0f},{c['top']:.0f} is outside every badge"
                    badge = home[0]
                    inner = (badge[0] + 3.5 * MM, badge[1] + 3 * MM, badge[2] - 3.5 * MM, badge[3] - 3.5 * MM)
                    assert inside(c, inner), f"{c['text']!r} runs into the margin of its badge"
                    assert not any(overlaps(c, qr) for qr in qr_codes), f"{c['text']!r} runs under a QR code"
    assert seen_badges == 8
    assert photos_drawn == 4
    assert ellipses >= 4  # the names that do not fit even at 8 pt end with "…"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdfs[0], capture_output=True, check=True).stdout.decode()
    assert "LI\nMing" in text or "LI Ming" in text  # family name first, in capitals
    assert "李明" in text
    last = subprocess.run(["pdftotext", "-", "-"], input=pdfs[1], capture_output=True, check=True).stdout.decode()
    assert "María" in last and "LÓPEZ" in last

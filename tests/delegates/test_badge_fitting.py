"""Badge text fitting measured with the fonts the PDF uses: the widths it counts are never less than the
fonts' own (Pillow, on the same font files), and in the badges the worker makes every line of the longest
Latin, Arabic and CJK names stays inside the name box, with both parts of the name printed."""
import io
import subprocess

import pdfplumber
import pytest
from PIL import ImageFont

from dialogue.delegates.badges import (
    BADGE,
    DELEGATION_TOP,
    MARGIN,
    NAME_HEIGHT,
    NAME_TOP,
    PHOTO,
    PT,
    TEXT_LEFT_PHOTO,
    lines_needed,
    text_width,
)

from ..workers import badge_pdfs, fetch
from .test_badges import ARABIC, CJK, LATIN, LATIN_ONE_WORD, MM, badge_boxes, long_names_event


def font_file(pattern: str) -> tuple[str, int]:
    path, index = subprocess.run(["fc-match", pattern, "-f", "%{file}|%{index}"], capture_output=True, text=True,
                                 check=True).stdout.rsplit("|", 1)
    return path, int(index or 0)


@pytest.mark.parametrize("text,families", [
    (LATIN.upper(), ["DejaVu Sans"]), (LATIN_ONE_WORD, ["DejaVu Sans"]), ("W" * 120, ["DejaVu Sans"]),
    (ARABIC, ["Noto Sans Arabic", "DejaVu Sans"]),  # a right-to-left name is set in the first, DejaVu has Arabic too
    (CJK, ["Noto Sans CJK SC"]),
])
@pytest.mark.parametrize("bold", [False, True])
def test_widths_are_the_widest_of_the_fonts_that_draw_the_name(text, families, bold):
    widths = []
    for family in families:
        path, index = font_file(family + (":bold" if bold else ""))
        widths.append(ImageFont.truetype(path, 1000, index=index).getlength(text) / 1000)  # shaped, like the PDF
    assert max(widths) <= text_width(text, bold) <= max(widths) * 1.05


def test_wide_letters_take_the_lines_they_really_take():
    # A bold "W" of DejaVu Sans is 1.1 em: at 8 pt, 15 of them fill 49 mm (the old estimate counted 21).
    assert lines_needed("W" * 40, 49, 8, bold=True) == 3
    assert lines_needed("i" * 40, 49, 8) == 1
    # A line of CJK breaks between characters, not inside one; an ellipsis never starts a line.
    per_line = int(49 / (8 * PT) // text_width(CJK[0]))
    assert per_line == 17
    assert lines_needed(CJK[:4 * per_line], 49, 8) == 4
    assert lines_needed(CJK[:4 * per_line] + "…", 49, 8) == 5


def test_longest_names_fill_only_their_name_box(jobs, app, client, auth):
    org, ev, _people = long_names_event()
    auth.login(org.email)
    response = fetch(client, jobs, f"/en/manage/events/{ev.slug}/badges.pdf")
    seen = 0
    for pdf in badge_pdfs(response.data):
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            for page in document.pages:
                for x0, top, x1, _bottom in badge_boxes(page):
                    photo = any(abs(i["width"] - PHOTO[0] * MM) < 1 and x0 <= i["x0"] <= x1 and top <= i["top"] <= top + 20 * MM
                                for i in page.images)
                    box = (x0 + (TEXT_LEFT_PHOTO if photo else MARGIN) * MM, top + NAME_TOP * MM,
                           x0 + (BADGE[0] - MARGIN) * MM, top + (NAME_TOP + NAME_HEIGHT) * MM)
                    name = [c for c in page.chars if c["text"].strip() and c["size"] < 17 and x0 <= c["x0"] <= x1
                            and top + 7.5 * MM < (c["top"] + c["bottom"]) / 2 < top + DELEGATION_TOP * MM]
                    assert name, "a name is printed"
                    seen += 1
                    for c in name:
                        assert (box[0] - 0.5 <= c["x0"] and c["x1"] <= box[2] + 0.5 and box[1] - 0.5 <= c["top"]
                                and c["bottom"] <= box[3] + 0.5), f"{c['text']!r} runs out of the name box"
                    weights = {"Bold" in c["fontname"] for c in name}
                    assert weights == {True, False}, "both the given and the family name are printed"
    assert seen == 8

"""Badge texts are measured with the real fonts' metrics without the fc-match program: the fontconfig
library (the PDF engine's own), else the font directories read with fontTools; width estimates only when
no font file exists. Which path this machine takes is shown, and it must be a real one."""
import json
import os
import subprocess
import sys
import tempfile

import pytest

from dialogue.delegates import badge_fonts, badges
from dialogue.delegates.badges import FONTS, metrics_source, text_width

from .test_badges import ARABIC, CJK, LATIN

PATTERNS = [p for bold in (False, True) for p in FONTS[bold]]


def test_this_machine_measures_with_the_fonts_own_metrics(record_property):
    source = metrics_source()
    record_property("badge_metrics", source)
    print(f"badge text metrics: {source}")  # shown with -rA / -s: the path CI takes
    assert source == badge_fonts.source() == "fontconfig"
    assert all(badges._font(p) is not None for p in ("DejaVu Sans", "DejaVu Sans:bold", "Noto Sans CJK SC"))


def test_without_the_fc_match_program_the_widths_are_the_same():
    """A process whose PATH holds no fc-match (nor anything else) measures exactly as this one does."""
    script = ("import json; from dialogue.delegates import badges; "
              f"print(json.dumps([badges.metrics_source()] + [badges.text_width(t, b) for t in {[LATIN, ARABIC, CJK]!r} "
              "for b in (False, True)]))")
    with tempfile.TemporaryDirectory() as empty:
        env = {**os.environ, "PATH": empty}
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True,
                             cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))), timeout=120)
    source, *widths = json.loads(out.stdout)
    assert source == "fontconfig"
    assert widths == pytest.approx([text_width(t, b) for t in (LATIN, ARABIC, CJK) for b in (False, True)], rel=1e-9)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_font_directories_give_the_files_fontconfig_gives(pattern):
    """The second way (no fontconfig library at all) finds the same file and face for each badge font."""
    by_library = badge_fonts.fontconfig_match(pattern)
    by_directories = badge_fonts.directory_match(pattern)
    assert by_library is not None and by_directories is not None
    assert os.path.basename(by_directories[0]) == os.path.basename(by_library[0])
    assert by_directories[1] == by_library[1]  # the face of a collection (Noto Sans CJK SC is face 2)


def test_no_font_file_at_all_is_the_only_case_for_estimates():
    with tempfile.TemporaryDirectory() as empty:
        assert badge_fonts.directory_match("DejaVu Sans", dirs=(empty,)) is None
    assert badge_fonts.directory_match("No Such Family Anywhere") is None
    # Characters no font draws are estimated generously (0.9 em, 1 em in bold), the others measured.
    assert badges._run_width("\U000F0000", False, ()) == 0.9 and badges._run_width("\U000F0000", True, ()) == 1.0
    assert text_width("i") < 0.4 < text_width("W", bold=True)

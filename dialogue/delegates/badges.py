"""Badges: the boxes of the layout, and fitting each text into its box (shrink, then wrap, then cut).

A badge is 85 × 56 mm with fixed boxes (templates/pdf/badges.html, static/participants.css): the
event's title, the photo, the name, the delegation, the role and the QR code. Every text box has a
fixed size and clips what does not fit, so nothing ever runs under the QR code or onto the next
badge. Before that, each text is given the largest font size at which it fits whole (measured
with the metrics of the fonts the PDF uses, Arabic shaped as the PDF engine shapes it), wrapped at
spaces (or between the characters of a word longer than the line); at the smallest size what still does not fit ends with an ellipsis (CSS
`line-clamp`, which WeasyPrint draws).

A photo is named by its file in the storage directory (`photo_url`), already cropped and resized to
the badge's 300 × 400 pixels when it was uploaded, and read by `BadgeFetcher`, instead of a base64
`data:` URL in the HTML: a chunk of 500 badges with photos of 40 KB was 27 MB of HTML to build,
parse and decode again (measured: a page 5-9 % faster; WeasyPrint embeds the JPEG as it is, so a
photo costs almost nothing more to draw).
"""
from __future__ import annotations

import functools
import math
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageFont
from weasyprint.urls import URLFetcherResponse

from ..jobs import storage
from ..pdf import SafeFetcher
from . import badge_fonts
from .labels import role_label
from .services.names import name_parts

#: Millimetres per typographic point.
PT = 25.4 / 72
#: The CSS line height is 1.15; a line that mixes fonts (DejaVu's strut, a CJK or Arabic fallback,
#: bold and regular) is measured up to 1.24 em tall by WeasyPrint, so lines are counted at 1.3.
LINE_HEIGHT = 1.3

#: The boxes, in mm from the badge's top left corner (see participants.css, which uses the same numbers).
BADGE = (85.0, 56.0)
MARGIN = 4.0
PHOTO = (20.0, 26.67)
QR = 22.0
#: Left edge of the texts beside the photo, and without one.
TEXT_LEFT_PHOTO = MARGIN + PHOTO[0] + 3.0
NAME_TOP, NAME_HEIGHT = 8.5, 19.5
NATIVE_HEIGHT = 4.6
DELEGATION_TOP, DELEGATION_HEIGHT = 29.5, 11.0
#: The QR code's left edge: texts below the name stop 2 mm before it.
QR_LEFT = BADGE[0] - MARGIN - QR

#: The padding at the end of each text box (participants.css), where an ellipsis goes.
ROOM = 5.0
NAME_SIZES = (16, 15, 14, 13, 12, 11, 10, 9, 8)
DELEGATION_SIZES = (10, 9, 8, 7)


#: The fonts the badge's texts are set in (participants.css: DejaVu Sans, then Noto for Arabic and CJK
#: names), as fontconfig patterns; WeasyPrint finds them through the fontconfig library, and so does
#: badge_fonts.find (else it reads the font directories); width estimates only when no file is found.
FONTS = {False: ("DejaVu Sans", "Noto Sans", "Noto Sans Arabic", "Noto Naskh Arabic", "Noto Sans CJK SC"),
         True: ("DejaVu Sans:bold", "Noto Sans:bold", "Noto Sans Arabic:bold", "Noto Naskh Arabic:bold",
                "Noto Sans CJK SC:bold")}
#: What rounding may add to the widths the fonts give.
SAFETY = 1.01
_FONT_SIZE = 1000
_font_lock = threading.Lock()


@functools.cache
def _font(pattern: str):
    """(characters it draws, Pillow font at 1000 px) of the font file of `pattern` (found as the PDF
    engine finds it: badge_fonts.py, without the fc-match program), or None when there is no such file."""
    found = badge_fonts.find(pattern)
    if found is None:
        return None
    path, index = found
    try:
        return (frozenset(TTFont(path, fontNumber=index, lazy=True).getBestCmap()),
                ImageFont.truetype(path, _FONT_SIZE, index=index))
    except (OSError, ValueError, KeyError, TTLibError):
        return None


def metrics_source() -> str:
    """What badge texts are measured with on this machine: "fontconfig" or "font directories" (the
    fonts' own metrics), or "estimates" (no font file of the badges found at all)."""
    return badge_fonts.source() if _fonts(False) and _fonts(True) else "estimates"


def _fonts(bold: bool) -> list:
    return [font for font in map(_font, FONTS[bold]) if font is not None]


def _estimate(ch: str, bold: bool) -> float:
    """A generous width in em of a character none of the badge's fonts draws."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    return 1.0 if bold else 0.9


@functools.lru_cache(maxsize=65536)
def _run_width(run: str, bold: bool, drawn_by: tuple[int, ...]) -> float:
    """Width in em of a run of characters the fonts `drawn_by` (indexes in FONTS) all draw: shaped
    and kerned by Pillow (Raqm, as WeasyPrint's HarfBuzz does), in the widest of them."""
    if not drawn_by:
        return sum(_estimate(ch, bold) for ch in run)
    fonts = _fonts(bold)
    with _font_lock:  # a FreeType face is not safe to use from two threads at once
        widest = max(fonts[i][1].getlength(run) for i in drawn_by)
    return widest / _FONT_SIZE * SAFETY


@functools.cache
def _drawn_by(ch: str, bold: bool) -> tuple[int, ...]:
    return tuple(i for i, (chars, _font) in enumerate(_fonts(bold)) if ord(ch) in chars)


@functools.cache
def _em(ch: str, bold: bool) -> float:
    """The width of one character in em, alone (see text_width)."""
    return _run_width(ch, bold, _drawn_by(ch, bold))


def _joins(ch: str) -> bool:
    """Whether a character's width depends on its neighbours (Arabic joining forms, combining marks)."""
    return unicodedata.bidirectional(ch) in ("AL", "R", "NSM") or unicodedata.combining(ch) != 0


@functools.lru_cache(maxsize=65536)
def text_width(text: str, bold: bool = False) -> float:
    """Width in em, from the metrics of the badge's fonts: each run of characters measured in the widest
    of the fonts that draw it (the PDF engine picks one of them by the text's direction and script)."""
    if not any(map(_joins, text)):  # no shaping: the advances, unkerned (the fonts mostly kern pairs closer)
        return sum(_em(ch, bold) for ch in text)
    width, run, drawn = 0.0, "", None
    for ch in text:
        by = _drawn_by(ch, bold)
        if run and by != drawn and not unicodedata.combining(ch):
            width += _run_width(run, bold, drawn)
            run = ""
        if not run:
            drawn = by
        run += ch
    return width + (_run_width(run, bold, drawn) if run else 0.0)


def _units(word: str) -> list[str]:
    """Where a word longer than a line may break: between characters, never before an ellipsis or a mark."""
    units: list[str] = []
    for ch in word:
        if units and (ch == "…" or unicodedata.combining(ch)):
            units[-1] += ch
        else:
            units.append(ch)
    return units


def lines_needed(text: str, width_mm: float, size_pt: float, bold: bool = False) -> int:
    """Lines `text` takes in a box `width_mm` wide at `size_pt`, wrapped at spaces, and between characters
    in a word longer than a line (CSS overflow-wrap: anywhere; CJK breaks between characters)."""
    if not text:
        return 0
    line_em = width_mm / (size_pt * PT)
    space = _em(" ", bold)
    lines, used = 1, 0.0
    for word in text.split():
        w = text_width(word, bold)
        if used and used + space + w <= line_em:
            used += space + w
            continue
        if used:
            lines += 1
            used = 0.0
        if w <= line_em:
            used = w
            continue
        for unit in _units(word):  # a word longer than the line breaks where it must, a character at a time
            u = text_width(unit, bold)
            if used and used + u > line_em:
                lines += 1
                used = 0.0
            used += u
    return lines


@dataclass
class Fit:
    """A font size in pt, the most lines the box shows at that size, and the texts cut to fit them."""

    size: float
    lines: int
    texts: list[str]


def cut(text: str, lines: int, width_mm: float, size_pt: float, bold: bool) -> str:
    """The longest beginning of `text` that, with an ellipsis, takes at most `lines` lines."""
    if lines_needed(text, width_mm, size_pt, bold) <= lines:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if lines_needed(text[:middle].rstrip() + "…", width_mm, size_pt, bold) <= lines:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def fit(parts: list[tuple[str, bool]], width_mm: float, height_mm: float, sizes=NAME_SIZES) -> Fit:
    """Shrink, wrap, cut: the largest size at which `parts` (each beginning a line; (text, bold)) fit the
    box whole; else the smallest size, each part cut with an ellipsis to share the lines the box holds
    (the first part keeps at least one line for the others)."""
    for size in sizes:
        needed = sum(lines_needed(text, width_mm, size, bold) for text, bold in parts if text)
        room = math.floor(height_mm / (size * PT * LINE_HEIGHT))
        if needed <= room:
            return Fit(size, room, [text for text, _bold in parts])
    size = sizes[-1]
    room = max(1, math.floor(height_mm / (size * PT * LINE_HEIGHT)))
    texts, left = [], room
    for index, (text, bold) in enumerate(parts):
        later = sum(1 for t, _b in parts[index + 1:] if t)
        allowed = max(1, left - later)
        texts.append(cut(text, allowed, width_mm, size, bold) if text else text)
        left -= min(allowed, lines_needed(texts[-1], width_mm, size, bold))
    return Fit(size, room, texts)


@dataclass
class BadgeText:
    """What one badge prints, its text already fitted: the template only places it."""

    first: str
    second: str
    #: Whether the family name comes first ("LI" bold on the first line).
    family_first: bool
    native: str
    dir: str
    name: Fit
    native_fit: Fit | None
    delegation: str
    delegation_fit: Fit
    role: str
    photo: str | None
    qr: str | None
    wide: bool


def badge_text(person, first: str, second: str, family_first: bool, delegation: str, role: str,
               photo: str | None, qr: str | None, direction: str) -> BadgeText:
    """Fit a person's texts into the boxes of a badge with (or without) a photo."""
    left = TEXT_LEFT_PHOTO if photo else MARGIN
    name_width = BADGE[0] - MARGIN - left
    native = (getattr(person, "native_name", "") or "").strip()
    name_height = NAME_HEIGHT - (NATIVE_HEIGHT if native else 0)
    # Texts are set 1 em narrower than their box: the room for an ellipsis the PDF engine may add.
    name = fit([(first, family_first), (second, not family_first)], name_width - ROOM, name_height)
    native_fit = fit([(native, False)], name_width - ROOM, NATIVE_HEIGHT, sizes=(10, 9, 8, 7)) if native else None
    delegation_width = QR_LEFT - 2.0 - left
    delegation_fit = fit([(delegation, False)], delegation_width - ROOM, DELEGATION_HEIGHT, sizes=DELEGATION_SIZES)
    return BadgeText(name.texts[0], name.texts[1], family_first, native_fit.texts[0] if native_fit else "", direction,
                     name, native_fit, delegation_fit.texts[0], delegation_fit, role, photo, qr, wide=not photo)


def photo_url(sha256: str | None) -> str | None:
    """The stored photo's file URL, for `BadgeFetcher`; None without one."""
    if not sha256 or not storage.exists(sha256):
        return None
    return storage.path_of(sha256).resolve().as_uri()


class BadgeFetcher(SafeFetcher):
    """The PDF fetcher of badges: what SafeFetcher reads, and photos in the storage directory (JPEG files
    named by a SHA-256, two levels under its root), nothing else of it."""

    def __init__(self):
        super().__init__()
        self.root = storage.root().resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            name = path.name
            if (len(name) == 64 and all(c in "0123456789abcdef" for c in name)
                    and path == self.root / name[:2] / name and path.is_file()):
                body = path.read_bytes()
                if body.startswith(b"\xff\xd8\xff"):  # a photo (stored photos are JPEG), not another stored file
                    return URLFetcherResponse(url, body, {"Content-Type": "image/jpeg"})
        return super().fetch(url, headers)

    __call__ = fetch


def badge(person, delegation_name: str, qr: str | None):
    """A person's badge, its texts fitted to their boxes (see badges.py), with their photo if any."""
    from .views import text_dir
    first, second = name_parts(person)
    return badge_text(person, first, second, person.name_order == "family_given", delegation_name, role_label(person),
                      photo_url(person.photo_sha256), qr,
                      text_dir(person.given_name, person.family_name))

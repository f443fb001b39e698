"""Where the font files of the badges are, without the fc-match program: the measures of badge texts
(badges.py) must come from the very files the PDF engine draws with.

1. fontconfig, the library WeasyPrint itself loads (it cannot run without it), called through cffi:
   the same match, so the same file and face, as the PDF engine's. Nothing to install, no process.
2. Where that library cannot be loaded: the usual font directories, read with fontTools, matching the
   family name and weight (a collection's faces one by one).
3. None: only then do the badges fall back to width estimates.

`source()` says which one this machine takes (a test makes sure it is a real one on CI).
"""
from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError

#: Directories the second way looks in (Linux, then BSDs and macOS, then Windows), with their subdirectories.
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
             "/usr/X11R6/lib/X11/fonts", "/Library/Fonts", "/System/Library/Fonts", "~/Library/Fonts",
             os.path.join(os.environ.get("WINDIR", "C:\\Windows"), "Fonts"))
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")

_CDEF = """
typedef int FcBool;
typedef struct _FcConfig FcConfig;
typedef struct _FcPattern FcPattern;
typedef unsigned char FcChar8;
typedef enum { FcResultMatch, FcResultNoMatch, FcResultTypeMismatch, FcResultNoId, FcResultOutOfMemory } FcResult;
typedef enum { FcMatchPattern, FcMatchFont, FcMatchScan } FcMatchKind;
FcPattern *FcNameParse(const FcChar8 *name);
FcBool FcConfigSubstitute(FcConfig *config, FcPattern *p, FcMatchKind kind);
void FcDefaultSubstitute(FcPattern *pattern);
FcPattern *FcFontMatch(FcConfig *config, FcPattern *p, FcResult *result);
FcResult FcPatternGetString(const FcPattern *p, const char *object, int n, FcChar8 **s);
FcResult FcPatternGetInteger(const FcPattern *p, const char *object, int n, int *i);
void FcPatternDestroy(FcPattern *p);
"""
_LIBRARY_NAMES = ("libfontconfig.so.1", "libfontconfig-1", "fontconfig-1", "fontconfig", "libfontconfig.1.dylib",
                  "libfontconfig-1.dll")
_lock = threading.Lock()  # fontconfig's default configuration is not safe to build from two threads


@functools.cache
def _fontconfig():
    """(ffi, library) of fontconfig, or None where it cannot be loaded."""
    try:
        from cffi import FFI
    except ImportError:
        return None
    ffi = FFI()
    ffi.cdef(_CDEF)
    for name in _LIBRARY_NAMES:
        try:
            return ffi, ffi.dlopen(name)
        except OSError:
            continue
    return None


def fontconfig_match(pattern: str) -> tuple[str, int] | None:
    """(file, face index) fontconfig gives for a pattern ("DejaVu Sans:bold"), as `fc-match` would."""
    loaded = _fontconfig()
    if loaded is None:
        return None
    ffi, fc = loaded
    with _lock:
        wanted = fc.FcNameParse(pattern.encode())
        if wanted == ffi.NULL:
            return None
        try:
            fc.FcConfigSubstitute(ffi.NULL, wanted, fc.FcMatchPattern)
            fc.FcDefaultSubstitute(wanted)
            result = ffi.new("FcResult *")
            found = fc.FcFontMatch(ffi.NULL, wanted, result)
            if found == ffi.NULL:
                return None
            try:
                file, index = ffi.new("FcChar8 **"), ffi.new("int *")
                if fc.FcPatternGetString(found, b"file", 0, file) != fc.FcResultMatch:
                    return None
                if fc.FcPatternGetInteger(found, b"index", 0, index) != fc.FcResultMatch:
                    index[0] = 0
                return os.fsdecode(ffi.string(file[0])), int(index[0])
            finally:
                fc.FcPatternDestroy(found)
        finally:
            fc.FcPatternDestroy(wanted)


def _faces(path: Path):
    """(index, TTFont) of each face of a font file (one, or several in a collection)."""
    if path.suffix.lower() in (".ttc", ".otc"):
        yield from enumerate(TTCollection(str(path), lazy=True).fonts)
    else:
        yield 0, TTFont(str(path), lazy=True)


def _describe(font: TTFont) -> tuple[frozenset[str], bool, int, int]:
    """(family names, casefolded: typographic and legacy; italic; width class; weight class) of a face."""
    families = frozenset(str(record).strip().casefold() for record in font["name"].names if record.nameID in (1, 16))
    os2 = font["OS/2"] if "OS/2" in font else None
    italic = bool(os2.fsSelection & 1) if os2 else bool(font["head"].macStyle & 2)
    return families, italic, os2.usWidthClass if os2 else 5, os2.usWeightClass if os2 else 400


@functools.cache
def _index(dirs: tuple[str, ...]) -> tuple[tuple[str, int, frozenset[str], bool, int, int], ...]:
    """(file, face index, families, italic, width, weight) of every face in `dirs`, read once."""
    faces = []
    for root in dirs:
        base = Path(root).expanduser()
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.suffix.lower() in FONT_SUFFIXES and p.is_file()):
            try:
                faces.extend((str(path), index, *_describe(font)) for index, font in _faces(path))
            except (OSError, TTLibError, KeyError, ValueError, AssertionError):
                continue  # a broken or unreadable file: the next one
    return tuple(faces)


def directory_match(pattern: str, dirs: tuple[str, ...] = FONT_DIRS) -> tuple[str, int] | None:
    """(file, face index) of the upright, normal-width face of the pattern's family nearest the weight
    asked for (400, or 700 with ":bold") in `dirs`; None if the family is not there. Only "Family" and
    "Family:bold" patterns: the badges ask for no more."""
    family, _sep, style = pattern.partition(":")
    family, wanted = family.strip().casefold(), 700 if style.strip().lower() == "bold" else 400
    found = [((int(italic), abs(width - 5), abs(weight - wanted)), path, index)
             for path, index, families, italic, width, weight in _index(tuple(dirs)) if family in families]
    if not found:
        return None
    _distance, path, index = min(found, key=lambda f: f[0])
    return path, index


@functools.cache
def source() -> str:
    """How this machine finds the badges' fonts: "fontconfig", "font directories" or "estimates"."""
    if _fontconfig() is not None and fontconfig_match("DejaVu Sans") is not None:
        return "fontconfig"
    if directory_match("DejaVu Sans") is not None:
        return "font directories"
    return "estimates"


def find(pattern: str) -> tuple[str, int] | None:
    """(file, face index) of the font of `pattern`: through fontconfig, else in the font directories."""
    return fontconfig_match(pattern) or directory_match(pattern)

"""Compile the Babel catalogs so no manual step is needed after a checkout or a pull."""
from __future__ import annotations

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from .config import ROOT

TRANSLATIONS = ROOT / "translations"


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Write each messages.mo whose .po is newer; return the ones written."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        tmp.replace(mo_path)
        written.append(mo_path)
    return written

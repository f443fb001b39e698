"""Generated files on disk, named by their SHA-256, in a directory every node can read.

`STORAGE_DIR` (default `instance/files`) is shared by web servers and workers; on several
machines it is a network mount. A file is written to a temporary name and renamed into place,
so no reader ever sees half of one, and the same bytes are stored once.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app

_SHA256 = re.compile(r"[0-9a-f]{64}")


def _base() -> str:
    return os.fspath(current_app.config.get("STORAGE_DIR") or os.path.join(current_app.instance_path, "files"))


def root() -> Path:
    path = Path(_base())
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(sha256: str) -> Path:
    """Where the file is or goes. Cheap, as it is on the path of every download: no directory is
    made (writers make theirs) and the path is built from strings."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise ValueError("not a SHA-256")
    return Path(os.path.join(_base(), sha256[:2], sha256))


def exists(sha256: str | None) -> bool:
    return bool(sha256) and path_of(sha256).is_file()


def store(body: bytes) -> tuple[str, int]:
    """Keep `body`; return its SHA-256 and size."""
    sha = hashlib.sha256(body).hexdigest()
    target = path_of(sha)
    if not target.is_file():
        _write(target, lambda handle: handle.write(body))
    return sha, len(body)


def store_file(source: BinaryIO) -> tuple[str, int]:
    """Keep a file being written elsewhere (a large CSV or ZIP), hashing it as it is copied."""
    digest, size = hashlib.sha256(), 0
    directory = root() / "tmp"
    directory.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            source.seek(0)
            while block := source.read(1 << 20):
                digest.update(block)
                size += len(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        target = path_of(digest.hexdigest())
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size


def read(sha256: str) -> bytes:
    return path_of(sha256).read_bytes()


def _write(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

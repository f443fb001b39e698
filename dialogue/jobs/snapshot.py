"""One consistent read for the exports that read an event in many queries (a batch at a time).

A list of 100,000 participants is read EXPORT_BATCH rows a query while the registration desk goes on
accrediting: without a snapshot, a delegate accredited (or renamed) between two batches could be in
the file twice, or missing, and the header's total would not match the rows. Inside `read_snapshot()`
every query sees the database as it was at the first one.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from ..extensions import db


@contextmanager
def read_snapshot() -> Iterator[Session]:
    """For the block, `db.session` is a session of its own in one read-only transaction: REPEATABLE
    READ on PostgreSQL; on SQLite one read transaction held from its first read to the end (WAL keeps
    that snapshot while others write). The caller's session (a job's, with its objects and any open
    transaction) is put back untouched afterwards, so the block needs no commit and makes none, and
    a job's progress, written meanwhile on a connection of its own (`tasks._progress`), neither
    waits for the snapshot nor ends it.

    A separate session rather than the caller's: PostgreSQL takes the isolation level only at the
    start of a transaction, and a job has read its own row before it reads the event's."""
    registry = db.session.registry
    outer = registry() if registry.has() else None
    inner = db.session.session_factory()
    if db.engine.dialect.name == "postgresql":
        inner.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})
    elif db.engine.dialect.name == "sqlite":
        # pysqlite begins a transaction only before a write: begin one for the reads, and read at once,
        # which fixes the snapshot here rather than at the block's first query.
        connection = inner.connection()
        connection.exec_driver_sql("BEGIN")
        connection.exec_driver_sql("SELECT 1 FROM sqlite_master LIMIT 1").all()
    registry.set(inner)
    try:
        yield inner
    finally:
        try:
            inner.rollback()  # read only: nothing to keep
        finally:
            inner.close()
            if outer is not None:
                registry.set(outer)
            else:
                registry.clear()

"""The exports of all participants at COP scale: wall time and memory of each kind's make(), in process.

    DIALOGUE_INSTANCE=/tmp/cop .venv/bin/python bench/export_bench.py            # SQLite, generates unless there
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dialogue_export .venv/bin/python bench/export_bench.py
    .venv/bin/python bench/export_bench.py --code /tmp/main-copy     # the same, with another checkout's code

Uses the event `--slug` (default `cop`) of the app's database (DIALOGUE_INSTANCE's SQLite file or
DATABASE_URL), generating it with `generate.py --cop`'s code when it is not there (100,000
accredited delegates in 2,500 delegations, the largest of 4,409), and gives every accredited
delegate personal details when none has any (for the personal-details export). Then, for each
kind, a fresh process runs the job kind's own `make()` (the code a worker runs, without Celery)
twice: once plain (wall time, and how much the process's maximum resident size grew while making
the file: `getrusage`; and its CPU time, which other work on the machine disturbs less than the
wall time), once under tracemalloc (the peak of Python's allocations; slower). It
prints each, with the file's size and a digest of its content (the CSV's bytes; the XLSX's cells,
read back with openpyxl, since the file itself holds the time it was made), to compare two
versions of the code on the same data. Numbers, not a timed test.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("participants_csv", "participants_xlsx", "public_participants_xlsx", "personal_details_csv")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="cop")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--in-order", action="store_true",
                        help="the participants' lists of delegations whose credentials are in order only")
    parser.add_argument("--code", default=str(HERE.parent), help="the checkout whose `dialogue` to run (default this one)")
    parser.add_argument("--skip-trace", action="store_true", help="no tracemalloc run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, args.code)
    if args.child:
        return _child(args)
    _prepare(args)
    backend = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"{backend}, event {args.slug}, code {args.code}, language {args.lang}"
          f"{', credentials in order only' if args.in_order else ''}")
    print("| export | wall s | CPU s | RSS growth MiB | tracemalloc peak MiB | file MiB | content sha256 |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for kind in args.kinds:
        plain = _run(args, kind, trace=False)
        traced = None if args.skip_trace else _run(args, kind, trace=True)
        peak = f"{traced['peak'] / 2**20:.1f}" if traced else ""
        print(f"| {kind} | {plain['seconds']:.1f} | {plain['cpu']:.1f} | {plain['rss_growth'] / 2**20:.0f} | {peak} | "
              f"{plain['size'] / 2**20:.1f} | {plain['digest'][:16]} |", flush=True)
    return 0


def _run(args, kind: str, trace: bool) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--slug", args.slug, "--lang", args.lang, "--code", args.code,
               *(["--trace"] if trace else []), *(["--in-order"] if args.in_order else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{kind} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _app():
    from dialogue import create_app
    return create_app({"TESTING": True})


def _prepare(args) -> None:
    """The event (generated when missing) with personal details for every accredited delegate."""
    sys.path.insert(0, str(HERE))
    from sqlalchemy import func, insert, select

    from dialogue.delegates.models import Delegate
    from dialogue.delegates.personal_models import DelegateDetails
    from dialogue.extensions import db
    from dialogue.sessions.models import Event

    app = _app()
    with app.app_context():
        db.create_all()
        event = db.session.scalar(select(Event).where(Event.slug == args.slug))
        if event is None:
            from generate import COP, generate, generate_delegates
            start = time.perf_counter()
            event = generate(COP["sessions"], args.slug)
            generate_delegates(event, COP["delegates"], COP["delegations"], COP["largest"])
            db.session.commit()
            print(f"generated {args.slug} in {time.perf_counter() - start:.0f} s")
        has = db.session.scalar(select(func.count(DelegateDetails.id)).where(DelegateDetails.event_id == event.id))
        if not has:
            from datetime import date
            ids = db.session.scalars(select(Delegate.id).where(Delegate.event_id == event.id,
                                                               Delegate.status == "accredited")).all()
            rows = [{"delegate_id": i, "event_id": event.id, "document_number": f"P{i:08d}", "nationality": "PE",
                     "birth_date": date(1960 + i % 40, 1 + i % 12, 1 + i % 28), "visa_letter": i % 3 == 0}
                    for i in ids]
            for start in range(0, len(rows), 20_000):
                db.session.execute(insert(DelegateDetails), rows[start:start + 20_000])
            db.session.commit()
            print(f"gave {len(rows):,} delegates personal details")
            # Statistics for the planner, as autovacuum or `PRAGMA optimize` would gather them.
            from sqlalchemy import text
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE" if db.engine.url.get_backend_name() == "postgresql" else "ANALYZE"))


def _child(args) -> int:
    import resource
    import tracemalloc

    from sqlalchemy import select

    from dialogue.extensions import db
    from dialogue.jobs.kinds import kind_of
    from dialogue.jobs.models import Job
    from dialogue.sessions.models import Event

    app = _app()
    with app.app_context(), app.test_request_context(f"/{args.lang}/"):
        event = db.session.scalar(select(Event).where(Event.slug == args.slug))
        params = {}
        if args.child == "personal_details_csv":
            params = {"fields": ["document_number", "nationality", "birth_date", "visa_letter"]}
        elif args.in_order:
            params = {"credentials": "in_order"}
        job = Job(event_id=event.id, kind=args.child, language=args.lang, params=params,
                  key=f"bench-{args.child}-{time.time()}", status="running")
        db.session.add(job)
        db.session.flush()
        reports = []
        progress = lambda done, total: reports.append(done)  # noqa: E731
        from flask_babel import force_locale
        with force_locale(args.lang):
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if args.trace:
                tracemalloc.start()
            start, cpu = time.perf_counter(), time.process_time()
            output = kind_of(job).make(job, progress)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            peak = tracemalloc.get_traced_memory()[1] if args.trace else 0
            tracemalloc.stop()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        db.session.rollback()
    stream = output.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    digest = hashlib.sha256()
    if output.filename.endswith(".xlsx") and not args.trace:
        from openpyxl import load_workbook
        book = load_workbook(stream, read_only=True)
        for row in book.worksheets[0].iter_rows(values_only=True):
            digest.update(repr(row).encode())
    elif not args.trace:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_growth": (rss - rss_before) * 1024, "peak": peak, "size": size,
                      "digest": digest.hexdigest(), "progress_reports": len(reports)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

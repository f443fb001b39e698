"""Benchmark: the participants page, the largest delegation's page and the accreditation queue at COP28 scale.

    .venv/bin/python bench/cop_bench.py [--requests 40] [--workers 2] [--delegates 100000 --delegations 2500 --largest 4409]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dialogue_cop_bench .venv/bin/python bench/cop_bench.py
    DIALOGUE_INSTANCE=/tmp/cop .venv/bin/python bench/cop_bench.py --reuse      # time again, no new data
    ... bench/cop_bench.py --reuse --first 5          # the first participants page of a new worker, 5 times

Builds a throw-away database (SQLite in a temporary instance, or DATABASE_URL, whose tables it
drops), generates the COP event with bench/generate.py (1,000 sessions, 100,000 accredited delegates
in 2,500 delegations, the host's of 4,409), starts `gunicorn -w 2 'dialogue:create_app()'` on a free
port and times each page over HTTP (`requests`, one request at a time, a new connection each as a
browser's first visit), signed in as the organiser and as the host's focal point: the median, p95
and worst **wall-clock** time of `--requests` requests after a warm-up, the CPU the server spent
per request (gunicorn's workers, and PostgreSQL's backends of the bench database: what a request
costs whatever else the machine does), the page's size and its SQL queries (counted in process).
Then the participants CSV and XLSX jobs, each in a fresh process: time, file size, peak of
Python's allocations (tracemalloc) and the process's maximum resident size.
Target of issue 7: each page at most 100 ms. Not a test: it prints numbers.
"""
from __future__ import annotations

import argparse
import html
import os
import re
import socket
import statistics as stats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_MS = 100
PASSWORD = "bench-password"  # noqa: S105  (a throw-away database's)


def main() -> int:
    from generate import COP

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page (after 4 to warm up)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--sessions", type=int, default=COP["sessions"])
    parser.add_argument("--delegates", type=int, default=COP["delegates"])
    parser.add_argument("--delegations", type=int, default=COP["delegations"])
    parser.add_argument("--largest", type=int, default=COP["largest"])
    parser.add_argument("--reuse", action="store_true",
                        help="time the COP event a previous run left in DIALOGUE_INSTANCE or DATABASE_URL")
    parser.add_argument("--skip-files", action="store_true", help="do not measure the CSV and XLSX jobs")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python's allocations while making the files (several times slower)")
    parser.add_argument("--first", type=int, metavar="N",
                        help="only: start gunicorn -w 1 N times and time its first participants page, then a second")
    parser.add_argument("--pause", type=float, default=3.0,
                        help="with --first: seconds between the worker's start (and sign-in) and that page")
    parser.add_argument("--job-memory", choices=("csv", "xlsx"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DIALOGUE_INSTANCE", tempfile.mkdtemp(prefix="dialogue-cop-"))
    os.environ.setdefault("SECRET_KEY", "bench")
    if args.job_memory:
        return _job_memory(args.job_memory, args.tracemalloc)

    from generate import HOST
    from sqlalchemy import func, select

    from dialogue import create_app
    from dialogue.delegates.models import Delegate, Delegation
    from dialogue.extensions import db
    from dialogue.sessions.models import Event

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        backend = db.engine.url.get_backend_name()
        t0 = time.perf_counter()
        event = db.session.scalar(select(Event).where(Event.slug == "cop")) if args.reuse else None
        if event is None:
            event = _generate(args)
        host = db.session.scalar(select(Delegation).where(Delegation.event_id == event.id, Delegation.country == HOST))
        n = db.session.scalar(select(func.count()).select_from(Delegate).where(Delegate.event_id == event.id))
        held = db.session.scalar(select(func.count()).select_from(Delegate).where(Delegate.delegation_id == host.id))
        delegations = db.session.scalar(select(func.count()).select_from(Delegation).where(Delegation.event_id == event.id))
        print(f"{'reused' if args.reuse else 'generated'} "
              f"{n:,} delegates in {delegations:,} delegations (largest {held:,}) in {time.perf_counter() - t0:.1f}s "
              f"on {backend} ({os.environ['DIALOGUE_INSTANCE'] if backend == 'sqlite' else db.engine.url.database})")
        host_id, host_name = host.id, "emirates"
        db.session.remove()
    manage, own = "/{lang}/manage/events/cop", f"/{{lang}}/events/cop/delegations/{host_id}/"
    queue = manage + "/accreditation?status=accredited"
    pages = [
        ("participants, first page", "org", manage + "/participants", "es"),
        ("participants, page 2", "org", manage + "/participants?page=2", "en"),
        ("participants, page 900 of 1,000", "org", manage + "/participants?page=900", "fr"),
        ("participants, search 'jose'", "org", manage + "/participants?q=jose", "en"),
        ("participants, search 'nunez jose'", "org", manage + "/participants?q=nunez+jose", "es"),
        (f"delegation of {held:,}, first page", "fp", own, "es"),
        (f"delegation of {held:,}, page 2", "fp", own + "?page=2", "en"),
        (f"delegation of {held:,}, last page", "fp", own + f"?page={-(-held // 100)}", "fr"),
        (f"delegation of {held:,}, search 'jose'", "fp", own + "?q=jose", "en"),
        ("queue, first page", "org", queue, "en"),
        ("queue, page 2 (its next link)", "org", queue, "en"),
        ("queue, middle (keyset)", "org", queue + "&after={middle}", "fr"),
        ("queue, search 'jose'", "org", queue + "&q=jose", "es"),
        ("queue, delegation typed 'emirates'", "org", queue + f"&delegation_name={host_name}", "en"),
        ("queue, delegation typed 'red'", "org", queue + "&delegation_name=red", "es"),
        ("queue, host delegation", "org", queue + f"&delegation={host_id}", "en"),
        ("queue, host delegation, search 'jose'", "org", queue + f"&delegation={host_id}&q=jose", "en"),
    ]
    with app.app_context():
        middle = db.session.scalar(select(Delegate.id).where(Delegate.status == "accredited")
                                   .order_by(Delegate.id).offset(n // 2).limit(1))
        db.session.remove()
    pages = [(label, who, url.format(lang=lang, middle=middle)) for label, who, url, lang in pages]
    if args.first:
        return _first_requests(args, pages[0][2])
    queries = _count_queries(app, pages)

    server, base = _serve(args)
    try:
        clients = {who: _signed_in(base, email) for who, email in (("org", "org@example.org"), ("fp", "fp@example.org"))}
        watched = _server_processes(server, backend, app)
        load_before = os.getloadavg()
        print(f"\nwall clock over HTTP, gunicorn -w {args.workers}, {args.requests} requests a page, one at a time; "
              f"load average {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f} on {os.cpu_count()} CPUs")
        print("| page | median | p95 | worst | server CPU | size | queries |\n|---|---:|---:|---:|---:|---:|---:|")
        worst = 0.0
        for label, who, url in pages:
            client = clients[who]
            if "next link" in label:
                first = client.get(base + url)
                url = html.unescape(re.search(r'href="([^"]+)" rel="next"', first.text).group(1))
            times = []
            for run in range(4 + args.requests):
                cpu_before = _cpu_ms(watched) if run == 4 else None
                start = time.perf_counter()
                response = client.get(base + url, allow_redirects=False)
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, (url, response.status_code)
                if cpu_before is not None:
                    cpu_start = cpu_before
                if run >= 4:
                    times.append(elapsed)
            cpu = (_cpu_ms(watched) - cpu_start) / args.requests
            median, p95 = stats.median(times), _p95(times)
            worst = max(worst, p95)
            print(f"| {label} | {median:.1f} ms | {p95:.1f} ms | {max(times):.1f} ms | {cpu:.1f} ms | "
                  f"{len(response.content) / 1024:.0f} KB | {queries[label]} |{'' if p95 <= TARGET_MS else ' SLOW'}")
        load = os.getloadavg()
        print(f"worst p95: {worst:.1f} ms (target {TARGET_MS} ms) on {backend}; load average after "
              f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")
        print("server CPU: CPU time of gunicorn's workers" + (" and PostgreSQL's backends" if backend == "postgresql" else "")
              + " per request (what a request costs, whatever the load)")
    finally:
        server.terminate()
        server.wait(10)
    if not args.skip_files:
        print("\nparticipants files, each made by the job's code in a fresh process:")
        for fmt in ("csv", "xlsx"):
            subprocess.run([sys.executable, __file__, "--job-memory", fmt, *(["--tracemalloc"] if args.tracemalloc else [])],
                           check=True, env=os.environ)
    return 0 if worst <= TARGET_MS else 1


def _first_requests(args, url: str) -> int:
    """What a new worker's first participants page costs (it used to build the delegations' order),
    against its second: gunicorn -w 1 started `--first` times, signed in, `--pause` seconds, two requests."""
    firsts, seconds = [], []
    for _ in range(args.first):
        server, base = _serve(argparse.Namespace(**{**vars(args), "workers": 1}))
        try:
            client = _signed_in(base, "org@example.org")
            time.sleep(args.pause)
            for times in (firsts, seconds):
                start = time.perf_counter()
                response = client.get(base + url, allow_redirects=False)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
        finally:
            server.terminate()
            server.wait(10)
    load = os.getloadavg()
    print(f"{url}, a new gunicorn -w 1 worker {args.first} times, {args.pause:g} s after its start; load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")
    for label, times in (("first request", firsts), ("second request", seconds)):
        print(f"  {label}: median {stats.median(times):.1f} ms, worst {max(times):.1f} ms "
              f"({', '.join(f'{t:.0f}' for t in times)})")
    return 0


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def _count_queries(app, pages) -> dict[str, int]:
    """The SQL statements of each page, counted once in process (Flask test client)."""
    from sqlalchemy import event as sa_event

    from dialogue.extensions import db
    counter = {"n": 0}

    def count(*_a):
        counter["n"] += 1
    found = {}
    clients = {"org": app.test_client(), "fp": app.test_client()}
    with app.app_context():
        for who, email in (("org", "org@example.org"), ("fp", "fp@example.org")):
            clients[who].post("/en/account/login", data={"email": email, "password": PASSWORD})
        sa_event.listen(db.engine, "before_cursor_execute", count)
        try:
            for label, who, url in pages:
                clients[who].get(url)
                counter["n"] = 0
                response = clients[who].get(url)
                assert response.status_code == 200, (url, response.status_code)
                found[label] = counter["n"]
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", count)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(args):
    import requests
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(args.workers),
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "dialogue:create_app()"],
                              env=os.environ, cwd=ROOT)
    try:
        for _ in range(600):
            try:
                if requests.get(base + "/en/account/login", timeout=60).status_code == 200:
                    return server, base
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")
    except BaseException:
        server.terminate()
        raise


def _signed_in(base: str, email: str):
    """A requests session signed in through the login form (with its CSRF token)."""
    import requests
    client = requests.Session()
    form = client.get(base + "/en/account/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', form)
    response = client.post(base + "/en/account/login", data={"email": email, "password": PASSWORD,
                                                              "csrf_token": token.group(1) or token.group(2)},
                           allow_redirects=False)
    assert response.status_code == 302, (email, response.status_code)
    return client


def _server_processes(server, backend: str, app) -> list[int]:
    """gunicorn's workers, and the PostgreSQL backends connected to the bench database (same machine)."""
    pids = []
    try:
        pids += [int(p) for p in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
    except OSError:
        pass
    if backend == "postgresql":
        from sqlalchemy import text

        from dialogue.extensions import db
        with app.app_context():
            pids += db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND pid <> pg_backend_pid()")).all()
            db.session.remove()
            db.engine.dispose()
    return pids


def _cpu_ms(pids: list[int]) -> float:
    """CPU milliseconds the processes have used so far (utime + stime)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def _job_memory(fmt: str, trace: bool) -> int:
    """Make the participants file with the job's own code; print its time, size and memory peaks."""
    import resource
    import tracemalloc

    from sqlalchemy import select

    from dialogue import create_app
    from dialogue.extensions import db
    from dialogue.jobs.kinds import kind_of
    from dialogue.jobs.models import Job
    from dialogue.models import User
    from dialogue.sessions.models import Event

    app = create_app({"TESTING": True})
    with app.app_context(), app.test_request_context("/en/"):
        event = db.session.scalar(select(Event).where(Event.slug == "cop"))
        user = db.session.scalar(select(User).where(User.email == "org@example.org"))
        job = Job(event_id=event.id, kind=f"participants_{fmt}", language="en", params={}, created_by=user,
                  key=f"bench-{fmt}-{time.time()}", status="running")
        db.session.add(job)
        db.session.flush()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        output = kind_of(job).make(job, lambda done, total: None)
        output.stream.seek(0, os.SEEK_END)
        size = output.stream.tell()
        elapsed = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        traced = f", peak of Python's allocations {peak / 2**20:.1f} MiB (tracemalloc, which slows it)" if trace else ""
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        db.session.rollback()
    print(f"participants {fmt.upper()}: {elapsed:.1f} s, file {size / 2**20:.1f} MiB{traced}; maximum resident "
          f"size {rss / 1024:.0f} MiB, {(rss - rss_before) / 1024:.0f} MiB more than before making it")
    return 0


def _generate(args):
    """A fresh schema with the COP event, an organiser and the host delegation's focal point."""
    from generate import generate, generate_delegates
    from sqlalchemy import text

    from dialogue.auth import grant_role
    from dialogue.delegates.models import FocalPoint
    from dialogue.extensions import db
    from dialogue.models import User

    db.drop_all()
    db.create_all()
    event = generate(args.sessions, "cop")
    host = generate_delegates(event, args.delegates, args.delegations, args.largest)[0]
    org, focal = User(email="org@example.org", name="Organiser"), User(email="fp@example.org", name="Focal point")
    for user in (org, focal):
        user.set_password(PASSWORD)
    db.session.add_all([org, focal])
    db.session.flush()
    grant_role(org, event, "organiser")
    grant_role(focal, event, "focal_point")
    db.session.add(FocalPoint(user=focal, delegation=host))
    db.session.commit()
    # Statistics for the query planner and PostgreSQL's visibility map (index-only scans), as
    # autovacuum or `PRAGMA optimize` would gather them on a live database.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.engine.url.get_backend_name() == "postgresql" else "ANALYZE"))
    return event


if __name__ == "__main__":
    sys.exit(main())

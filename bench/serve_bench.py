"""Serve the app with gunicorn and measure every public surface against a static file of the same bytes.

    python bench/serve_bench.py                       # N = 100 and 1000, wrk if installed
    python bench/serve_bench.py --sizes 1000 --duration 15 --connections 8

For each N: generate an event with N sessions into a temporary instance (SQLite), make its
agenda PDF (the Celery job's code, run synchronously) and publish an outcome document (three
PDFs), start `gunicorn -w 2 'dialogue:create_app()'` on a free port, warm up, then measure
latency (median, p95) and throughput of each URL (agenda page, JSON API, iCalendar, stored
agenda PDF, published outcome PDF) with and without If-None-Match (304), beside a static file of
the same size and bytes served by the same gunicorn (`/static/_bench/...`, written for the run
and removed after), so the ratio shows what the app adds to serving bytes. The load generator is
wrk (bench/report.lua) when installed, else a multi-process Python client.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
STATIC_DIR = ROOT / "static" / "_bench"
BIN = Path(sys.executable).parent
TARGET_RATIO = 1.1
STATIC_LABEL = "static file, same bytes"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(base: str, path: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:  # 304 comes as an HTTPError
        return e.code, e.read(), dict(e.headers)


# --- the server's CPU ------------------------------------------------------------------------

def worker_pids(master: int) -> list[int]:
    """gunicorn's worker processes (the master's children)."""
    pids = []
    for task in Path(f"/proc/{master}/task").iterdir():
        children = (task / "children").read_text().split()
        pids += [int(pid) for pid in children]
    return pids


def pg_backends(database_url: str) -> list[int]:
    """PostgreSQL's backends connected to the bench database (on this machine): their CPU is the
    database's share of a request, which the workers' own time does not show."""
    from sqlalchemy import create_engine, text
    url = database_url.replace("postgres://", "postgresql+psycopg://", 1).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                          "AND pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


def cpu_ns(pids: list[int]) -> int:
    """Nanoseconds on a CPU of these processes' threads so far (/proc/PID/task/*/schedstat): what
    requests cost the server, however busy the machine is with other work."""
    total = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
    return total


def measured(load, pids: list[int]):
    """`load`, adding the server's CPU time per request (`cpu_us`) to its result."""
    def run(url, inm, args):
        before = cpu_ns(pids)
        result = load(url, inm, args)
        result["cpu_us"] = (cpu_ns(pids) - before) / 1000 / max(1, result["requests"])
        return result
    return run


# --- load generators --------------------------------------------------------------------------

def run_wrk(url: str, inm: str | None, args) -> dict:
    env = {**os.environ, "WRK_INM": inm or ""}
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{max(1, round(args.duration))}s", "--timeout", "10s",
           "-s", str(BENCH / "report.lua"), url]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("JSON "))
    return json.loads(line[5:])


def _python_worker(host: str, port: int, path: str, inm: str | None, seconds: float) -> list[float]:
    headers = {"If-None-Match": inm} if inm else {}
    latencies, conn = [], None
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        if conn is None:
            conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - t0)
        if response.getheader("Connection", "").lower() == "close" or response.will_close:
            conn.close()
            conn = None
    return latencies


def run_python(url: str, inm: str | None, args) -> dict:
    host_port, path = url.removeprefix("http://").split("/", 1)
    host, port = host_port.split(":")
    with ProcessPoolExecutor(args.connections) as pool:
        started = time.perf_counter()
        parts = list(pool.map(_python_worker, *zip(*[(host, int(port), "/" + path, inm, args.duration)] * args.connections, strict=False)))
        elapsed = time.perf_counter() - started
    lat = sorted(x for p in parts for x in p)
    return {"requests": len(lat), "rps": len(lat) / elapsed, "median_ms": statistics.median(lat) * 1000,
            "p95_ms": lat[int(len(lat) * 0.95)] * 1000, "errors": 0, "bad_status": 0}


# --- the files a worker makes -------------------------------------------------------------------

def prepare_files(slug: str) -> None:
    """In the instance of the environment: publish an outcome document of the event `slug` (its
    three PDFs, as the publication job does) and make its English agenda PDF with the job's code,
    run here instead of in a worker (the same task function, synchronously)."""
    sys.path.insert(0, str(ROOT))
    from datetime import date

    from sqlalchemy import select

    from dialogue import create_app
    from dialogue.auth import grant_role
    from dialogue.extensions import db
    from dialogue.jobs import services as jobs
    from dialogue.jobs.tasks import run_job
    from dialogue.models import User
    from dialogue.outcomes import document as outcome
    from dialogue.outcomes import publications
    from dialogue.sessions.jobs import KIND as AGENDA_PDF
    from dialogue.sessions.models import Event

    app = create_app()
    with app.test_request_context("/en/"):
        ev = db.session.scalar(select(Event).where(Event.slug == slug))
        org = User(email=f"organiser@{slug}.example.org", name="Organiser")
        db.session.add(org)
        db.session.flush()
        grant_role(org, ev, "organiser")
        doc = outcome.get_or_create_document(ev)
        items = "\n\n".join
        outcome.save_document(doc, {
            "symbol": f"{slug.upper()}/1", "issued_on": date(2030, 3, 8), "original_language": "en",
            "grouping": "session", "title": {"fr": "Document final", "es": "Documento final", "en": "Outcome document"},
            "recommendations": {
                "fr": items(f"Recommandation {i} : les partenaires partagent des données comparables." for i in range(40)),
                "es": items(f"Recomendación {i}: los socios comparten datos comparables." for i in range(40)),
                "en": items(f"Recommendation {i}: partners share comparable data." for i in range(40))}}, org)
        publications.publish(doc, org)
        job = jobs.start(AGENDA_PDF, ev, "en", None, check=False)
        db.session.commit()
        job_id = job.id
    with app.app_context():
        run_job.run(job_id)
        db.session.remove()


# --- one size ---------------------------------------------------------------------------------

def bench_size(n: int, args, load) -> list[dict]:
    instance = args.reuse or Path(tempfile.mkdtemp(prefix=f"dialogue-bench-{n}-"))
    env = {**os.environ, "DIALOGUE_INSTANCE": str(instance), "SECRET_KEY": "bench"}
    if not args.database_url:
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = args.database_url
    slug = f"bench-{n}"
    if not args.reuse:
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--sessions", str(n), "--slug", slug],
                       env=env, check=True, cwd=ROOT)
        subprocess.run([sys.executable, str(BENCH / "serve_bench.py"), "--prepare", slug], env=env, check=True,
                       cwd=ROOT)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", *args.gunicorn_args, "dialogue:create_app()"],
                              env=env, cwd=ROOT)
    rows = []
    try:
        for _ in range(200):
            try:
                if fetch(base, "/api/v1/events")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        pids = worker_pids(server.pid)
        plain_load, load = load, measured(load, pids)
        endpoints = [("agenda page", f"/en/events/{slug}/", "html"),
                     ("JSON API", f"/api/v1/events/{slug}/sessions", "json"),
                     ("iCalendar", f"/events/{slug}/agenda.ics", "ics"),
                     ("agenda PDF (stored by the job)", f"/en/events/{slug}/agenda.pdf", "pdf"),
                     ("outcome PDF (published)", f"/en/events/{slug}/outcome.pdf", "outcome.pdf")]
        endpoints = [e for e in endpoints if not args.only or any(word in e[0] for word in args.only)]
        STATIC_DIR.mkdir(exist_ok=True)
        for name, path, ext in endpoints:
            status, body, headers = fetch(base, path)
            assert status == 200, (path, status)
            twin = STATIC_DIR / f"{slug}.{ext}"
            twin.write_bytes(body)
            static_path = f"/static/_bench/{twin.name}"
            # Warm up: every worker renders once and the static file is in the page cache.
            for url in (path, static_path):
                plain_load(base + url, None, argparse.Namespace(**{**vars(args), "duration": 1}))
            if args.database_url and args.database_url.startswith("postgres"):
                # The server's CPU: the workers and, on PostgreSQL, the backends of their connections.
                pids[:] = worker_pids(server.pid) + pg_backends(args.database_url)
            pairs = [(name, path), (STATIC_LABEL, static_path)]
            etags = {}
            for _label, url in pairs:
                status, body2, headers = fetch(base, url)
                etags[url] = headers.get("ETag")
                assert status == 200 and len(body2) == len(body), (url, status, len(body2))
                assert fetch(base, url, {"If-None-Match": etags[url]})[0] == 304, url
            # The machine is shared: measure the page and its static twin alternately, several
            # rounds, and keep each one's median round.
            for inm in (False, True):
                runs: dict[str, list[dict]] = {url: [] for _label, url in pairs}
                for _round in range(args.rounds):
                    for _label, url in pairs:
                        runs[url].append(load(base + url, etags[url] if inm else None, args))
                # Ratio of each round (page and static file measured one after the other), then
                # the median: steadier than a ratio of medians when others load the machine.
                ratios = [st["rps"] / pg["rps"] for pg, st in zip(runs[path], runs[static_path], strict=False)]
                cpu_ratios = [pg["cpu_us"] / st["cpu_us"] for pg, st in zip(runs[path], runs[static_path], strict=False)]
                for label, url in pairs:
                    result = sorted(runs[url], key=lambda r: r["rps"])[len(runs[url]) // 2]
                    rows.append({"n": n, "what": label, "path": url, "size": len(body),
                                 "status": 304 if inm else 200, **result,
                                 "cpu_us": statistics.median(r["cpu_us"] for r in runs[url]),
                                 **({"ratio": statistics.median(ratios), "ratios": ratios,
                                     "cpu_ratio": statistics.median(cpu_ratios)} if url == path else {})})
                    print(f"  N={n:<5} {label:<24} {rows[-1]['status']}  {result['median_ms']:8.2f} ms "
                          f"{result['p95_ms']:8.2f} ms {result['rps']:9.1f}/s  cpu {rows[-1]['cpu_us']:7.0f} us/req "
                          f"(rounds: {', '.join(str(round(r['rps'])) for r in runs[url])}; "
                          f"{', '.join(str(round(r['cpu_us'])) for r in runs[url])} us)", file=sys.stderr, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(STATIC_DIR, ignore_errors=True)
        if not (args.keep or args.reuse):
            shutil.rmtree(instance, ignore_errors=True)
    return rows


def table(rows: list[dict]) -> str:
    out = ["| N | what | size | response | median ms | p95 ms | req/s | static req/s ÷ this | server CPU µs/req "
           "| this CPU ÷ static CPU |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r["what"] == STATIC_LABEL:
            ratio = cpu_ratio = ""
            what = "  static file, same bytes"
        else:
            ratio = f"{r['ratio']:.2f}x" + ("" if r["ratio"] <= TARGET_RATIO else " (over)")
            cpu_ratio = f"{r['cpu_ratio']:.2f}x" + ("" if r["cpu_ratio"] <= TARGET_RATIO else " (over)")
            what = r["what"]
        size = f"{r['size'] / 1024:.0f} KiB" if r["status"] == 200 else "0"
        if r.get("errors") or r.get("bad_status"):
            ratio += f" errors={r['errors']} bad={r['bad_status']}"
        out.append(f"| {r['n']} | {what} | {size} | {r['status']} | {r['median_ms']:.2f} | {r['p95_ms']:.2f} | "
                   f"{r['rps']:.0f} | {ratio} | {r['cpu_us']:.0f} | {cpu_ratio} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--duration", type=float, default=4, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternate page and static file this many times")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--gunicorn-args", nargs=argparse.REMAINDER, default=[],
                        help="more gunicorn options (last on the command line)")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even if wrk exists")
    parser.add_argument("--database-url", help="benchmark on this database instead of a temporary SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instances")
    parser.add_argument("--reuse", type=Path, metavar="DIR",
                        help="serve this instance as it is (kept with --keep; one size) instead of generating one")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--only", nargs="+", help="only the surfaces whose name has one of these words (agenda, JSON, PDF...)")
    parser.add_argument("--prepare", metavar="SLUG", help=argparse.SUPPRESS)  # internal: make the files
    args = parser.parse_args(argv)
    if args.prepare:
        prepare_files(args.prepare)
        return 0
    use_wrk = shutil.which("wrk") and not args.python_client
    load = run_wrk if use_wrk else run_python
    print(f"load generator: {'wrk' if use_wrk else 'Python (multi-process http.client)'}, "
          f"{args.connections} connections, {args.duration:g}s per measurement; gunicorn -w {args.workers}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; server CPU: gunicorn's workers"
          f"{' and the database backends they use' if (args.database_url or '').startswith('postgres') else ''}",
          file=sys.stderr)
    rows = []
    for n in args.sizes:
        rows += bench_size(n, args, load)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    worst = max(r.get("ratio", 0) for r in rows)
    worst_cpu = max(r.get("cpu_ratio", 0) for r in rows)
    print(f"\nworst ratio to the static file: {worst:.2f}x in requests/s, {worst_cpu:.2f}x in the server's CPU per "
          f"request (target: within {TARGET_RATIO:g}x); load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

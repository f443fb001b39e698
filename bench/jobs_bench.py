"""Background jobs at scale, on the scaled-out setup (PostgreSQL + Redis + gunicorn + Celery workers).

    python bench/jobs_bench.py --cop --workers 1 2            # COP28's size: 100,000 badges (long)
    python bench/jobs_bench.py --badges 2000 --sessions 200 --workers 1 2 --seconds 5
    python bench/jobs_bench.py --badges 2000 --photos 0.5 --workers 1 2 --skip-latency

Delegations have COP28's average size (100,000 badges in 2,500 delegations, the host's of 4,409)
unless `--delegations`/`--largest` say otherwise.

1. Generates an event with 1,000 sessions and `--badges` accredited delegates (bench/generate.py) in a
   fresh PostgreSQL database (`--database`, default dialogue_jobs_bench) and flushes a Redis db.
2. Badges: for each worker count, starts that many `dialogue worker -c 1` processes, asks for the
   badges (a new job each time) and times it until the ZIP is stored: badges per second, and the
   speed-up of 2 workers over 1 (target >= 1.7x).
3. Cost per badge page against bare WeasyPrint on the same HTML (one chunk's HTML, target <= 1.5x).
4. p99 latency of the public agenda page, JSON and ICS (gunicorn -w 2, wrk) while 2 workers render
   the badges, against idle: `--rounds` pairs per URL, idle meaning the workers are stopped (SIGSTOP)
   mid-job for the pair's idle half (target <= 2x).
5. Stored files (the agenda PDF and the badges ZIP made by workers) against a static file of the same
   bytes from the same gunicorn (target <= 1.1x).

Numbers are printed; nothing is asserted. Needs wrk for 4 and 5 (Debian: wrk).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from serve_bench import free_port, run_wrk  # noqa: E402


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def environment(args, tmp: Path) -> dict:
    return {**os.environ, "DATABASE_URL": f"{args.server}/{args.database}", "REDIS_URL": args.redis,
            "DIALOGUE_INSTANCE": str(tmp), "STORAGE_DIR": str(tmp / "files"), "SECRET_KEY": "bench",
            "CELERY_QUEUE": "dialogue-bench", "PUBLIC_URL": "http://127.0.0.1"}


def prepare(args, env):
    import psycopg
    import redis
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {args.database}")
        conn.execute(f"CREATE DATABASE {args.database}")
    redis.Redis.from_url(args.redis).flushdb()
    t0 = time.perf_counter()
    shape = ["--delegations", str(args.delegations)] + (["--largest", str(args.largest)] if args.largest else [])
    sh(str(BIN / "python"), str(BENCH / "generate.py"), "--sessions", str(args.sessions), "--delegates",
       str(args.badges), *shape, "--photos", str(args.photos), "--slug", args.slug, env=env, stdout=subprocess.DEVNULL)
    with_app(env, _publish_and_organiser, args.slug)
    print(f"generated {args.sessions} sessions and {args.badges} accredited delegates in {args.delegations} delegations"
          f" ({args.photos:.0%} with a photo) in {time.perf_counter() - t0:.0f} s")


_APP = None


def with_app(env, function, *a):
    """Run `function` in an app context on the benchmark's database (one app for the whole run)."""
    global _APP
    from dialogue.extensions import db
    if _APP is None:
        os.environ.update(env)
        from dialogue import create_app
        _APP = create_app()
    with _APP.app_context():
        result = function(*a)
        db.session.commit()
        return result


def _publish_and_organiser(slug):
    from dialogue.auth import grant_role
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.sessions.models import Event
    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    event.status = "published"
    user = db.session.scalar(db.select(User).where(User.email == "bench@example.org"))
    if user is None:
        user = User(email="bench@example.org", name="Bench")
        db.session.add(user)
    grant_role(user, event, "organiser")


def _start_badges(slug, run):
    from dialogue.delegates.models import Delegate
    from dialogue.extensions import db
    from dialogue.jobs import services
    from dialogue.jobs.models import Job
    from dialogue.models import User, utcnow
    from dialogue.sessions.models import Event
    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    db.session.execute(db.delete(Job).where(Job.kind == "badges"))
    # New data, hence a new job: one delegate changed, as at a registration desk. (Not the event's
    # title: that changes the agenda too, whose pages and PDF would be made again during the run.)
    delegate = db.session.scalars(db.select(Delegate).where(Delegate.event_id == event.id).limit(1)).one()
    delegate.function, delegate.updated_at = f"Delegate ({run})", utcnow()
    db.session.flush()
    user = db.session.scalar(db.select(User).where(User.email == "bench@example.org"))
    return services.start("badges", event, "en", user).id


def _job_state(job_id):
    from dialogue.extensions import db
    from dialogue.jobs.models import Job
    job = db.session.get(Job, job_id)
    return job.status, job.done, job.total, job.sha256, job.error


def start_workers(n, env, tmp, nice=None):
    procs = []
    for i in range(n):
        log = open(tmp / f"worker{i}.log", "w")
        procs.append(subprocess.Popen([str(BIN / "python"), "-m", "dialogue.cli", "worker", "-c", "1", "--loglevel",
                                       "warning", *([] if nice is None else ["--nice", str(nice)])],
                                      env={**env, "DIALOGUE_WORKER_NAME": f"bench{i}@%h"},
                                      stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    # The clock starts when every worker answers (a worker takes seconds to start on a loaded machine).
    for _ in range(120):
        if with_app(env, _workers_up) >= n:
            break
    return procs


def _workers_up() -> int:
    from flask import current_app

    from dialogue.jobs.engine import celery_for
    return len(celery_for(current_app).control.ping(timeout=1))


def stop(procs):
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def _cpu() -> float:
    """CPU seconds used by the processes this one has waited for (workers and their pool processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_cpu(pids) -> float:
    """CPU seconds used so far by these processes and their descendants (Linux /proc)."""
    stats = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(stat.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree, grew = set(pids), True
    while grew:
        more = {pid for pid, (ppid, _t) in stats.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(stats[pid][1] for pid in tree if pid in stats) / os.sysconf("SC_CLK_TCK")


def badges_run(args, env, tmp, workers: int, run: int, during=None, nice=None, finish=True) -> float:
    procs = start_workers(workers, env, tmp, nice)
    cpu0 = _cpu() + _tree_cpu([p.pid for p in procs])  # without the workers' start
    try:
        t0 = time.perf_counter()
        job_id = with_app(env, _start_badges, args.slug, run)
        measured = during(job_id, procs) if during else None
        if not finish:  # only what was measured during the job counts
            return None, job_id, measured
        while True:
            status, done, total, sha, error = with_app(env, _job_state, job_id)
            if status in ("done", "failed"):
                break
            time.sleep(1)
        seconds = time.perf_counter() - t0
        if status != "done":
            raise SystemExit(f"badges job failed: {error}")
        stop(procs)
        # On a machine shared with other work the wall clock says how much CPU the others left; the
        # workers' own CPU time per badge says whether two workers do more work for the same badges.
        print(f"badges, {workers} worker(s): {total} badges in {seconds:.0f} s = {total / seconds:.1f} badges/s, "
              f"{(_cpu() - cpu0) / total * 1000:.1f} CPU ms a badge (load average {load()})")
        return seconds, job_id, measured
    finally:
        stop(procs)


def paired_rounds(args, env, base, urls, job_id, procs) -> dict:
    """p99 of each URL idle and busy, `--rounds` times, in pairs a few seconds apart during one badge job.

    Idle means the badge workers are stopped (SIGSTOP to their process groups) mid-job, busy that they
    run again: each pair is measured under the same conditions of the shared machine, and the order
    within a pair alternates from round to round. A single pair's p99 is one spike away from any
    ratio; the median of the rounds' ratios, and the worst, are what is printed."""
    time.sleep(5)  # the chunks are being rendered
    rows = {name: [] for name in urls}

    def pause(sig):
        for p in procs:
            os.killpg(p.pid, sig)
        time.sleep(0.5)
    for round_ in range(args.rounds):
        for name, url in urls.items():
            pair = {}
            for state in (("idle", "busy") if round_ % 2 == 0 else ("busy", "idle")):
                pause(signal.SIGSTOP if state == "idle" else signal.SIGCONT)
                pair[state] = wrk(base + url, args.seconds)["p99_ms"]
            pause(signal.SIGCONT)
            rows[name].append(pair)
        status = with_app(env, _job_state, job_id)[0]
        if status != "running":
            print(f"  the badge job was {status} after round {round_ + 1}: later rounds are not busy")
            break
    for name, pairs in rows.items():
        ratios = sorted(p["busy"] / p["idle"] for p in pairs)
        print(f"p99 {name}, {len(pairs)} rounds of {args.seconds} s (idle -> busy ms): "
              + ", ".join(f"{p['idle']:.1f} -> {p['busy']:.1f}" for p in pairs)
              + f"; ratio median {statistics.median(ratios):.2f}x, worst {ratios[-1]:.2f}x (target <= 2x)")
    return rows


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def page_cost(slug):
    """One chunk of badges: our renderer (PDF/UA, table scopes) against bare WeasyPrint on the same HTML."""
    from flask import render_template
    from flask_babel import force_locale
    from weasyprint import HTML

    from dialogue.delegates import jobs as badge_jobs
    from dialogue.delegates.badges import BadgeFetcher
    from dialogue.delegates.models import Delegation
    from dialogue.delegates.views import LABELS, display_name
    from dialogue.extensions import db
    from dialogue.pdf import BASE_URL, html_to_pdf
    from dialogue.sessions.models import Event
    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    delegation = db.session.scalars(db.select(Delegation).where(Delegation.event_id == event.id)).first()
    people = badge_jobs.badge_people(delegation, "en", 0, 200)
    with force_locale("en"):
        badges = [badge_jobs.badge(p, "Delegation", badge_jobs.badge_qr(
            f"http://127.0.0.1/en/manage/events/x/badges/{p.badge_code}")) for p in people]
        html = render_template("pdf/badges.html", lang="en", event=event, badges=badges, display_name=display_name,
                               preview=False, **LABELS)
    pages = -(-len(people) // 8)
    timings = {}
    renders = [("dialogue", lambda: html_to_pdf(html, BadgeFetcher())),
               ("bare WeasyPrint", lambda: HTML(string=html, base_url=BASE_URL).write_pdf())]
    photos = sorted(set(re.findall(r'src="(file://[^"]+)"', html)))
    if photos:  # what the photos cost as they were embedded before: base64 data: URLs in the HTML
        inline = html
        for url in photos:
            data = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).read_bytes()
            inline = inline.replace(url, "data:image/jpeg;base64," + base64.b64encode(data).decode())
        renders.append(("photos as data: URLs", lambda: html_to_pdf(inline)))
    for _round in range(3):  # interleaved, so that a change in the machine's load touches all alike
        for name, render in renders:
            timings[name] = min(timings.get(name, float("inf")), _timed(render) / pages)
    ratio = timings["dialogue"] / timings["bare WeasyPrint"]
    print(f"badge page ({len(people)} badges, {len(photos)} photos, {pages} pages): dialogue "
          f"{timings['dialogue'] * 1000:.0f} ms/page, bare WeasyPrint {timings['bare WeasyPrint'] * 1000:.0f} ms/page: "
          f"{ratio:.2f}x (target <= 1.5x)")
    if photos:
        print(f"  the same page with its photos as base64 data: URLs (before): "
              f"{timings['photos as data: URLs'] * 1000:.0f} ms/page")


def _timed(render) -> float:
    t0 = time.perf_counter()
    render()
    return time.perf_counter() - t0


def gunicorn(env, tmp):
    port = free_port()
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                             "dialogue:create_app()"], env=env, cwd=ROOT, start_new_session=True,
                            stdout=open(tmp / "gunicorn.log", "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/en/", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def wrk(url, seconds, connections=4):
    return run_wrk(url, None, argparse.Namespace(threads=2, connections=connections, duration=seconds))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--cop", action="store_true",
                        help="COP28's size: 100,000 badges, 1,000 sessions, 2,500 delegations, the largest of 4,409")
    parser.add_argument("--delegations", type=int, default=None,
                        help="delegations the badges are in (default: COP28's average size, 40 a delegation)")
    parser.add_argument("--largest", type=int, default=None, help="badges of the largest delegation (default: in proportion)")
    parser.add_argument("--photos", type=float, default=0.0, help="share of delegates with a photo (0 to 1)")
    parser.add_argument("--nice", type=int, default=0,
                        help="the workers' --nice for the throughput runs (default 0: on a machine shared with other "
                             "work, a niced worker gets only what the others leave)")
    parser.add_argument("--latency-nice", type=int, nargs="+", default=[10],
                        help="the workers' --nice while latencies are measured (default 10, theirs; 0 10 compares)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="dialogue_jobs_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--slug", default="cop")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per URL")
    parser.add_argument("--rounds", type=int, default=5, help="idle/busy pairs of p99 measurements per URL")
    parser.add_argument("--no-finish", dest="finish", action="store_false",
                        help="stop the workers once the p99 pairs are measured, not when the badge job ends")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true", help="only the page cost and the latencies")
    args = parser.parse_args()
    if args.cop:
        args.badges, args.sessions, args.delegations, args.largest = 100_000, 1000, 2500, 4409
    if args.delegations is None:
        args.delegations = max(1, round(args.badges * 2500 / 100_000))
    print(f"load average at start: {load()}")
    tmp = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    env = environment(args, tmp)
    try:
        prepare(args, env)
        results = {}
        for run, n in enumerate([] if args.skip_throughput else args.workers):
            results[n] = badges_run(args, env, tmp, n, run, nice=args.nice)[0]
        if 1 in results and 2 in results:
            print(f"2 workers: {results[1] / results[2]:.2f}x the throughput of 1 (target >= 1.7x)")
        with_app(env, page_cost, args.slug)
        if not args.skip_latency and shutil.which("wrk"):
            latency_and_files(args, env, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        static = ROOT / "static" / "_bench"
        shutil.rmtree(static, ignore_errors=True)
    return 0


def latency_and_files(args, env, tmp):
    proc, base = gunicorn(env, tmp)
    workers = start_workers(1, env, tmp, args.latency_nice[0])
    try:
        urls = {"agenda page": f"/en/events/{args.slug}/", "JSON": f"/api/v1/events/{args.slug}/sessions",
                "ICS": f"/events/{args.slug}/agenda.ics"}
        for url in urls.values():
            urllib.request.urlopen(base + url).read()
        # The agenda PDF, made by the worker, then served from storage.
        pdf_url = f"/en/events/{args.slug}/agenda.pdf"
        for _ in range(600):
            response = urllib.request.urlopen(base + pdf_url)
            if response.status == 200:
                break
            time.sleep(1)
        for url in urls.values():  # every gunicorn worker has the pages in its cache
            wrk(base + url, 1)
        stop(workers)

        busy = {}
        for nice in args.latency_nice:
            busy[nice] = badges_run(args, env, tmp, 2, 99 + nice, nice=nice, finish=args.finish,
                                    during=lambda job_id, procs: paired_rounds(args, env, base, urls, job_id, procs))[2]
        static = ROOT / "static" / "_bench"
        static.mkdir(exist_ok=True)
        body = urllib.request.urlopen(base + pdf_url).read()
        (static / "agenda.pdf").write_bytes(body)
        served = wrk(base + pdf_url, args.seconds)
        twin = wrk(base + "/static/_bench/agenda.pdf", args.seconds)
        print(f"agenda PDF ({len(body) // 1024} KB): {served['rps']:.0f} req/s from storage, {twin['rps']:.0f} req/s "
              f"static twin = {twin['rps'] / served['rps']:.2f}x slower (target <= 1.1x)")
        print(json.dumps({"p99": busy, "agenda_pdf": served, "static": twin}))
    finally:
        stop(workers)
        stop([proc])


if __name__ == "__main__":
    sys.exit(main())

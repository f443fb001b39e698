"""The participants list PDF of a large event, made by real workers on PostgreSQL + Redis: time and peak memory.

    python bench/list_pdf_bench.py --delegates 20000 --workers 1 2
    python bench/list_pdf_bench.py --delegates 20000 --workers 1 --code /work/main   # another checkout's code
    python bench/list_pdf_bench.py --cop --workers 2 --skip-generate                  # 100,000 (long)

Generates (bench/generate.py, unless --skip-generate) an event of `--delegates` accredited delegates in
COP28's shape in a fresh PostgreSQL database (`--database`), then for each worker count starts that many
`dialogue worker -c 1` processes (Redis db `--redis`) from the checkout `--code` (default: this one; give
a checkout of the code before list PDFs were made in parts to compare), asks for the organisers'
participants PDF as a new job and times it until the file is stored. Prints the time, the pages, the
workers' CPU and the peak resident memory of the largest worker process. Numbers only; nothing asserted.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from jobs_bench import _cpu, _job_state, _tree_cpu, _workers_up, environment, load, prepare, stop, with_app  # noqa: E402


def start_workers(n: int, env: dict, tmp: Path, code: Path) -> list:
    """`n` workers running the code of the checkout `code` (its directory first on their path)."""
    procs = []
    for i in range(n):
        log = open(tmp / f"worker{i}.log", "w")
        procs.append(subprocess.Popen([str(BIN / "python"), "-m", "dialogue.cli", "worker", "-c", "1", "--loglevel",
                                       "warning"], cwd=code, env={**env, "PYTHONPATH": str(code),
                                                                  "DIALOGUE_WORKER_NAME": f"listbench{i}@%h"},
                                      stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    for _ in range(120):
        if with_app(env, _workers_up) >= n:
            break
    return procs


class PeakMemory(threading.Thread):
    """The largest resident memory any process of the workers' trees reached (VmHWM), sampled twice a second
    (a pool process that ends between samples keeps its last reading)."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids, self.peak, self.running = set(pids), 0, True

    def tree(self) -> set[int]:
        parents = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                continue
        found, grew = set(self.pids), True
        while grew:
            more = {pid for pid, ppid in parents.items() if ppid in found} - found
            found |= more
            grew = bool(more)
        return found

    def run(self):
        while self.running:
            for pid in self.tree():
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak = max(self.peak, int(line.split()[1]) * 1024)
                except OSError:
                    continue
            time.sleep(0.5)


def _start_list(slug: str, run: int) -> int:
    from dialogue.delegates.models import Delegate
    from dialogue.extensions import db
    from dialogue.jobs import services
    from dialogue.jobs.models import Job
    from dialogue.models import User, utcnow
    from dialogue.sessions.models import Event
    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    db.session.execute(db.delete(Job).where(Job.kind == "participants_pdf"))
    delegate = db.session.scalars(db.select(Delegate).where(Delegate.event_id == event.id).limit(1)).one()
    delegate.function, delegate.updated_at = f"Delegate ({run})", utcnow()  # new data: a new job
    db.session.flush()
    user = db.session.scalar(db.select(User).where(User.email == "bench@example.org"))
    return services.start("participants_pdf", event, "en", user).id


def _chunks(job_id: int) -> int:
    from dialogue.extensions import db
    from dialogue.jobs.models import Job
    return db.session.get(Job, job_id).chunks_total


def _pages(job_id: int) -> int:
    import pikepdf

    from dialogue.extensions import db
    from dialogue.jobs import storage
    from dialogue.jobs.models import Job
    with pikepdf.open(storage.path_of(db.session.get(Job, job_id).sha256)) as pdf:
        return len(pdf.pages)


def _assembly(job_id: int) -> str:
    """The merge of the stored parts again, in this process: its time and that of the page numbers alone."""
    from flask_babel import force_locale

    from dialogue.delegates import list_pdf
    from dialogue.extensions import db
    from dialogue.jobs.kinds import kind_of
    from dialogue.jobs.models import Job
    from dialogue.jobs.tasks import StoredParts
    job = db.session.get(Job, job_id)
    parts = StoredParts([(c.params, c.sha256) for c in job.chunks])
    with force_locale(job.language):
        t0 = time.perf_counter()
        output = kind_of(job).assemble(job, parts)
        merge = time.perf_counter() - t0
        pages = _pages(job_id)
        t0 = time.perf_counter()
        list_pdf.page_numbers(job, "List of participants", pages)
        numbers = time.perf_counter() - t0
    output.stream.seek(0, 2)
    return (f"assembly of {len(parts)} parts, {pages} pages: {merge:.1f} s, of which page numbers {numbers:.1f} s "
            f"({output.stream.tell() / 2**20:.1f} MiB)")


def list_run(args, env, tmp, workers: int, run: int) -> float:
    procs = start_workers(workers, env, tmp, Path(args.code).resolve())
    cpu0 = _cpu() + _tree_cpu([p.pid for p in procs])
    memory = PeakMemory([p.pid for p in procs])
    memory.start()
    try:
        t0 = time.perf_counter()
        job_id = with_app(env, _start_list, args.slug, run)
        while True:
            status, done, total, _sha, error = with_app(env, _job_state, job_id)
            if status in ("done", "failed"):
                break
            time.sleep(0.5)
        seconds = time.perf_counter() - t0
        if status != "done":
            raise SystemExit(f"participants PDF job failed: {error}")
        cpu = _cpu() + _tree_cpu([p.pid for p in procs]) - cpu0
        memory.running = False
        memory.join()
        stop(procs)
        print(f"participants PDF, {workers} worker(s), code of {args.code}: {total} people, "
              f"{with_app(env, _pages, job_id)} pages, {with_app(env, _chunks, job_id)} chunks in {seconds:.0f} s; "
              f"workers' CPU {cpu:.0f} s; peak RSS of a worker process {memory.peak / 2**20:.0f} MiB "
              f"(load average {load()})")
        if Path(args.code).resolve() == ROOT and with_app(env, _chunks, job_id):
            print("  " + with_app(env, _assembly, job_id))
        return seconds
    finally:
        memory.running = False
        stop(procs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=20000)
    parser.add_argument("--cop", action="store_true", help="COP28's size: 100,000 in 2,500 delegations, one of 4,409")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--code", default=str(ROOT), help="the checkout whose code the workers run")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="dialogue_listpdf_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--slug", default="listbench")
    parser.add_argument("--skip-generate", action="store_true", help="keep the event of an earlier run")
    args = parser.parse_args()
    args.badges, args.sessions, args.photos, args.largest = args.delegates, 100, 0.0, None
    if args.cop:
        args.badges, args.largest = 100_000, 4409
    args.delegations = max(1, round(args.badges * 2500 / 100_000))
    print(f"load average at start: {load()} ({os.cpu_count()} cores, shared)")
    tmp = Path(tempfile.mkdtemp(prefix="list-pdf-bench-"))
    env = environment(args, tmp)
    env["STORAGE_DIR"] = str(Path(tempfile.gettempdir()) / f"{args.database}-files")
    try:
        if not args.skip_generate:
            prepare(args, env)
        results = {n: list_run(args, env, tmp, n, run) for run, n in enumerate(args.workers)}
        if 1 in results and 2 in results:
            print(f"2 workers: {results[1] / results[2]:.2f}x the speed of 1")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

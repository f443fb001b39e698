"""Benchmark: importing 2,000 sessions from an XLSX file: the preview (upload), the import in the
request, and the import as a job (the confirming request, then the worker's task).

    .venv/bin/python bench/session_import_bench.py [--rows 2000] [--runs 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dialogue_x .venv/bin/python bench/session_import_bench.py

Builds a throw-away database (SQLite in a temporary instance, or DATABASE_URL, whose tables it drops),
an event and its organiser, then times through the app (Flask test client, in process) the upload
that previews the file and the confirmation that imports it (into a fresh event each run), once with
the import in the request (SESSION_IMPORT_JOB_ROWS above the rows) and once as a job, whose task is
run here, in this process, as a worker would. Prints the median and best wall time and the median
CPU time of this process. Not a test: it prints numbers.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import statistics as stats
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def xlsx(rows: int) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["Código", "Día", "Inicio", "Fin", "Tipo", "Sala", "Título (español)", "Oradores"])
    for i in range(rows):
        day = f"2030-03-{1 + i % 5:02d}"
        minute = (i // 5) % 52
        start = f"{7 + minute // 4:02d}:{(minute % 4) * 15:02d}"
        end = f"{7 + minute // 4:02d}:{(minute % 4) * 15 + 10:02d}"
        sheet.append([f"B{i:04d}", day, start, end, "Sesión de trabajo", f"Sala {i % 40}", f"Sesión {i}",
                      f"Orador {i % 300}; Ana Pérez"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DIALOGUE_INSTANCE", tempfile.mkdtemp(prefix="dialogue-import-"))

    from dialogue import create_app
    from dialogue.auth.roles import grant_role
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.sessions.models import Event

    config = {"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench", "CELERY_BROKER_URL": "memory://"}
    app = create_app(config)
    content = xlsx(args.rows)
    from dialogue.jobs.tasks import run_job

    names = ("preview in the request", "import in the request", "upload (preview job)", "preview job in the worker",
             "confirm (import job)", "import job in the worker")
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    with app.app_context():
        if db.engine.url.get_backend_name() != "sqlite":
            db.drop_all()
        db.create_all()
        org = User(email="org@example.org", name="Org")
        org.set_password("bench-password-1")
        db.session.add(org)
        db.session.commit()
        org_id = org.id
        for run in range(args.runs):
            ev = Event(slug=f"bench-{run}", status="draft", timezone="Europe/Zurich", starts_on=date(2030, 3, 1),
                       ends_on=date(2030, 3, 5), original_language="es", title={"es": "Cumbre"})
            db.session.add(ev)
            db.session.flush()
            grant_role(db.session.get(User, org_id), ev, "organiser")
            db.session.commit()
            client = app.test_client()
            client.post("/es/account/login", data={"email": "org@example.org", "password": "bench-password-1"})
            slug, job_id = ev.slug, None
            for name in names:
                if name == "upload (preview job)":  # the second half of the run imports by a job, into a fresh event
                    ev = Event(slug=f"bench-job-{run}", status="draft", timezone="Europe/Zurich",
                               starts_on=date(2030, 3, 1), ends_on=date(2030, 3, 5), original_language="es",
                               title={"es": "Cumbre"})
                    db.session.add(ev)
                    db.session.flush()
                    grant_role(db.session.get(User, org_id), ev, "organiser")
                    slug = ev.slug
                    db.session.commit()
                app.config["SESSION_IMPORT_JOB_ROWS"] = 0 if "job" in name else args.rows + 1
                wall, cpu = time.perf_counter(), time.process_time()
                if name.startswith(("preview in", "upload")):
                    page = client.post(f"/es/manage/events/{slug}/import", content_type="multipart/form-data",
                                       data={"file": (io.BytesIO(content), "sesiones.xlsx")})
                    html = page.get_data(as_text=True)
                    if page.status_code == 302:
                        job_id = int(page.location.rsplit("/", 1)[1])
                    else:
                        assert page.status_code == 200, html[-2000:]
                        form = dict(re.findall(r'name="(token)" type="hidden" value="([^"]*)"', html))
                elif name.endswith("in the worker"):
                    run_job(job_id)
                    if name.startswith("preview"):
                        html = client.get(f"/es/manage/events/{slug}/import?preview={job_id}").get_data(as_text=True)
                        form = dict(re.findall(r'name="(token)" type="hidden" value="([^"]*)"', html))
                else:
                    page = client.post(f"/es/manage/events/{slug}/import", data=form)
                    assert page.status_code == 302, page.get_data(as_text=True)[-2000:]
                    job_id = int(page.location.rsplit("/", 1)[1]) if "/jobs/" in page.location else None
                results[name].append((time.perf_counter() - wall, time.process_time() - cpu))
                db.session.remove()
            from dialogue.jobs.models import Job
            job = db.session.get(Job, job_id)
            assert job.status == "done", job.error_detail
    backend = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"{args.rows} rows, {len(content) // 1024} KiB XLSX, {backend}, {args.runs} runs")
    for name, times in results.items():
        walls = [w for w, _c in times]
        print(f"  {name:22s} median {stats.median(walls):.2f} s  best {min(walls):.2f} s  "
              f"cpu {stats.median(c for _w, c in times):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

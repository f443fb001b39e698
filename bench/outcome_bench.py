"""Benchmark of the outcome document: rendering a 50-page PDF, and downloading the published one.

    .venv/bin/python bench/outcome_bench.py [--messages 260] [--seconds 5] [--clients 4]

1. Render time of a long outcome document (about 50 A4 pages) through dialogue's pipeline
   (compose from the database + Jinja + WeasyPrint with the safe fetcher), against WeasyPrint
   alone on the very same HTML (default fetcher), best of three each.
2. Download throughput of the published PDF from gunicorn (bytes from the database, ETag),
   against a static file of the same size served by the same gunicorn, and of 304 revalidations.

Prints numbers; it is not a test. Uses its own SQLite file in a temporary directory.
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCES = [
    "La cooperación eficaz se apoya en las prioridades y los sistemas de cada país.",
    "Los socios se comprometen a compartir datos comparables sobre sus flujos de cooperación.",
    "La cooperación Sur-Sur y triangular complementa la cooperación tradicional.",
    "Los resultados deben medirse con indicadores que vayan más allá del ingreso per cápita.",
    "La sociedad civil y los gobiernos locales participan en el diseño y el seguimiento.",
]
FR = "La coopération efficace s'appuie sur les priorités et les systèmes de chaque pays ; les partenaires s'engagent à partager des données comparables."
EN = "Effective co-operation builds on each country's priorities and systems; partners commit to share comparable data on their flows."


def build(app, messages: int):
    """An event with several sessions and `messages` approved key messages; returns the document."""
    from datetime import datetime

    from dialogue.auth import grant_role
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.outcomes import document as outcome
    from dialogue.outcomes import services
    from dialogue.outcomes.models import SessionRapporteur
    from dialogue.sessions.models import Event, MeetingSession

    db.drop_all()
    db.create_all()
    org, rap, reviewer = (User(email=f"{n}@example.org", name=n) for n in ("org", "rap", "rev"))
    db.session.add_all([org, rap, reviewer])
    ev = Event(slug="bench", title={"fr": "Sommet", "es": "Cumbre", "en": "Summit"}, starts_on=date(2022, 12, 12),
               ends_on=date(2022, 12, 14), timezone="Europe/Zurich", status="published", original_language="es")
    db.session.add(ev)
    db.session.flush()
    for user, role in ((org, "organiser"), (reviewer, "organiser"), (rap, "rapporteur")):
        grant_role(user, ev, role)
    sessions = []
    for i in range(10):
        s = MeetingSession(event=ev, code=f"WS{i:02d}", kind="working", original_language="es",
                           title={"fr": f"Séance de travail {i}", "es": f"Sesión de trabajo {i}", "en": f"Working session {i}"},
                           starts_at=datetime(2022, 12, 12, 8 + i), ends_at=datetime(2022, 12, 12, 9 + i))
        db.session.add(s)
        db.session.add(SessionRapporteur(user=rap, session=s))
        sessions.append(s)
    db.session.flush()
    for i in range(messages):
        text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(4))
        m = services.create_message(sessions[i % len(sessions)], {
            "text": {"es": f"{text}\n\n- Primer punto {i}.\n- Segundo punto {i}.", "fr": FR, "en": EN},
            "original_language": "es"}, rap)
        services.submit_message(m, rap)
        services.approve_message(m, reviewer)
    doc = outcome.get_or_create_document(ev)
    outcome.save_document(doc, {"symbol": "BENCH/2022/1", "title": {"fr": "Document final", "es": "Documento final",
                                                                    "en": "Outcome document"},
                                "issued_on": date(2022, 12, 14), "original_language": "es", "grouping": "session",
                                "preamble": {"es": "Preámbulo.", "fr": "Préambule.", "en": "Preamble."}}, org)
    db.session.commit()
    return doc, org


def pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        out = subprocess.run(["pdfinfo", tmp.name], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def bench_render(app, messages: int) -> None:
    from weasyprint import HTML

    from dialogue.outcomes import document as outcome
    from dialogue.outcomes import publications, rendering
    from dialogue.pdf import BASE_URL
    doc, org = build(app, messages)
    with app.test_request_context("/es/"):
        comp = outcome.compose(doc)
        html = rendering.render_pdf_html(comp, "es", draft=False)
        runs = {"ours": [], "alone": [], "alone_ua": []}
        candidates = {
            "ours": lambda: rendering.render_pdf(outcome.compose(doc), "es", draft=False),
            "alone": lambda: HTML(string=html, base_url=BASE_URL).write_pdf(),
            "alone_ua": lambda: HTML(string=html, base_url=BASE_URL).write_pdf(pdf_variant="pdf/ua-1"),
        }
        result = None
        for _round in range(3):  # interleaved, so a busy neighbour slows all three alike
            for name, fn in candidates.items():
                start = time.perf_counter()
                out = fn()
                runs[name].append(time.perf_counter() - start)
                if name == "ours":
                    result = out
        prep = []
        for _round in range(5):
            start = time.perf_counter()
            rendering.render_pdf_html(outcome.compose(doc), "es", draft=False)
            prep.append(time.perf_counter() - start)
        ours = (min(runs["ours"]), statistics.median(runs["ours"]), result)
        alone = (min(runs["alone"]), statistics.median(runs["alone"]))
        alone_ua = (min(runs["alone_ua"]), statistics.median(runs["alone_ua"]))
    n = pages(ours[2])
    print(f"render: {messages} key messages, {len(comp.paragraphs)} numbered paragraphs, {n} pages (es)")
    print(f"  dialogue (compose + template + WeasyPrint, safe fetcher, PDF/UA): best {ours[0]:.2f} s, median {ours[1]:.2f} s")
    print(f"  WeasyPrint alone on the same HTML:                               best {alone[0]:.2f} s, median {alone[1]:.2f} s")
    print(f"  WeasyPrint alone, same HTML, PDF/UA-1 tagging:                  best {alone_ua[0]:.2f} s, median {alone_ua[1]:.2f} s")
    print(f"  of which compose (database) + Jinja template:                    best {min(prep):.3f} s")
    print(f"  dialogue vs WeasyPrint alone: {100 * (ours[0] / alone[0] - 1):+.0f} %; "
          f"vs WeasyPrint with the same PDF/UA-1 output: {100 * (ours[0] / alone_ua[0] - 1):+.0f} %")
    with app.test_request_context("/es/"):
        publications.publish(doc, org)
    from dialogue.extensions import db
    db.session.commit()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(port: int, path: str, seconds: float, clients: int, headers=None) -> tuple[float, float, int]:
    """(requests/s, MB/s, status) with `clients` keep-alive connections for `seconds`."""
    counts, sizes, statuses = [0] * clients, [0] * clients, set()
    stop = time.perf_counter() + seconds

    def run(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < stop:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            statuses.add(response.status)
            counts[i] += 1
            sizes[i] += len(body)
        conn.close()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return sum(counts) / elapsed, sum(sizes) / elapsed / 1e6, min(statuses)


def bench_download(instance: Path, db_url: str, seconds: float, clients: int) -> None:
    from sqlalchemy import create_engine, text
    engine = create_engine(db_url)
    with engine.connect() as conn:
        pdf, sha = conn.execute(text("select pdf, sha256 from publication where language='es' order by version desc")).first()
    static = ROOT / "static" / f"bench-{os.getpid()}.pdf"
    static.write_bytes(pdf)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "DIALOGUE_INSTANCE": str(instance), "SECRET_KEY": "bench"}
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-k", "gthread", "--threads", "4",
                "-b", f"127.0.0.1:{port}", "--log-level", "warning", "dialogue:create_app()"]
    server = subprocess.Popen(gunicorn, env=env, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        pdf_path = "/es/events/bench/outcome.pdf"
        load(port, pdf_path, 0.5, 1)  # warm up
        load(port, f"/static/{static.name}", 0.5, 1)
        print(f"download: {len(pdf) / 1024:.0f} KB PDF, gunicorn 2 workers x 4 threads, {clients} keep-alive clients, "
              f"{seconds:.0f} s each")
        for label, path, headers in (("published PDF (from the database)", pdf_path, None),
                                     ("static file, same size", f"/static/{static.name}", None),
                                     ("published PDF, 304 revalidation", pdf_path, {"If-None-Match": f'"{sha}"'})):
            rps, mbps, status = load(port, path, seconds, clients, headers)
            print(f"  {label:<36} {rps:8.0f} req/s {mbps:8.1f} MB/s  (HTTP {status})")
    finally:
        server.terminate()
        server.wait(timeout=10)
        static.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=260, help="approved key messages (260 ≈ 50 pages)")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("pdfinfo"):
        sys.exit("needs poppler-utils (pdfinfo)")
    instance = Path(tempfile.mkdtemp(prefix="outcome-bench-"))
    db_url = f"sqlite:///{instance / 'bench.sqlite'}"
    os.environ["DIALOGUE_INSTANCE"] = str(instance)
    from dialogue import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench"})
    with app.app_context():
        bench_render(app, args.messages)
    bench_download(instance, db_url, args.seconds, args.clients)
    shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()

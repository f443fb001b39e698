"""Generate a benchmark event with N sessions (and their people) through the app's models.

    DIALOGUE_INSTANCE=/tmp/bench python bench/generate.py --sessions 1000
    DATABASE_URL=postgresql://... python bench/generate.py --sessions 1000 --slug bench-1000

The database is the app's (DIALOGUE_INSTANCE's SQLite file, or DATABASE_URL); the schema is
created if needed and an event with the same slug is replaced. Sessions spread over five days,
eight 90-minute slots a day, in as many rooms as needed, so several run in parallel, none
conflict, and each has a chair, two speakers and a contact. `--delegates M` is reserved for the
delegates domain (registrations), which plugs in its generator when it exists.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from dialogue import create_app
from dialogue.extensions import db
from dialogue.sessions.models import Event, MeetingSession, SessionPerson
from dialogue.sessions.services import local_to_utc

TZ = "Europe/Zurich"
DAYS = 5
SLOTS = [(8 + i * 1.5) for i in range(8)]  # 08:00, 09:30, ... 18:30
KINDS = ("plenary", "working", "working", "working", "side_event", "regional_dialogue")
TOPICS = [
    ("Systèmes nationaux", "Sistemas nacionales", "Country systems"),
    ("Coopération Sud-Sud", "Cooperación Sur-Sur", "South-South co-operation"),
    ("Société civile", "Sociedad civil", "Civil society"),
    ("Secteur privé", "Sector privado", "Private sector"),
    ("Transparence", "Transparencia", "Transparency"),
    ("Contextes fragiles", "Contextos frágiles", "Fragile contexts"),
    ("Financement climatique", "Financiamiento climático", "Climate finance"),
    ("Égalité des genres", "Igualdad de género", "Gender equality"),
]


def T(fr: str, es: str, en: str) -> dict:
    return {"fr": fr, "es": es, "en": en}


def generate(n_sessions: int, slug: str, start: date = date(2030, 3, 4)) -> Event:
    """Replace the event `slug` by one with `n_sessions` sessions; return it."""
    old = db.session.scalar(select(Event).where(Event.slug == slug))
    if old is not None:
        db.session.delete(old)
        db.session.flush()
    event = Event(slug=slug, timezone=TZ, starts_on=start, ends_on=start + timedelta(days=DAYS - 1),
                  status="published", original_language="en",
                  title=T(f"Réunion d'essai ({n_sessions} sessions)", f"Reunión de prueba ({n_sessions} sesiones)",
                          f"Benchmark meeting ({n_sessions} sessions)"),
                  venue=T("Genève", "Ginebra", "Geneva"),
                  description=T("Données générées pour mesurer les performances.",
                                "Datos generados para medir el rendimiento.",
                                "Generated data to measure performance."))
    db.session.add(event)
    per_slot = math.ceil(n_sessions / (DAYS * len(SLOTS)))
    for i in range(n_sessions):
        slot, room = divmod(i, per_slot)
        day, slot_of_day = divmod(slot, len(SLOTS))
        hours = SLOTS[slot_of_day]
        local = datetime(start.year, start.month, start.day) + timedelta(days=day, hours=hours)
        topic = TOPICS[i % len(TOPICS)]
        code = f"S{i + 1:04d}"
        s = MeetingSession(
            event=event, code=code, kind=KINDS[i % len(KINDS)], room=f"Room {room + 1}",
            original_language="en", interpretation=["fr", "es", "en"], capacity=100 + i % 400,
            title=T(f"{topic[0]} : séance {i + 1}", f"{topic[1]}: sesión {i + 1}", f"{topic[2]}: session {i + 1}"),
            purpose=T(f"Échanger sur {topic[0].lower()}.", f"Intercambiar sobre {topic[1].lower()}.",
                      f"Exchange on {topic[2].lower()}."),
            starts_at=local_to_utc(local, TZ), ends_at=local_to_utc(local + timedelta(minutes=80), TZ))
        s.people = [
            SessionPerson(role="chair", name=f"Chair {i + 1}", organisation="Ministry of Planning", gender="female", position=0),
            SessionPerson(role="speaker", name=f"Speaker {i + 1}-a", organisation="Civil society network", gender="male", position=1),
            SessionPerson(role="speaker", name=f"Speaker {i + 1}-b", organisation="Development bank", gender="other", position=2),
            SessionPerson(role="contact", name=f"Contact {i + 1}", organisation="Secretariat", gender="undisclosed",
                          email=f"contact{i + 1}@example.org", position=3),
        ]
        db.session.add(s)
    db.session.flush()
    return event


def generate_delegates(event: Event, n_delegates: int) -> None:
    """Delegates through the delegates domain's generator, when that domain provides one."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from delegates_bench import generate as generate_delegations
    generate_delegations(event, n_delegates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", "-n", type=int, default=1000)
    parser.add_argument("--delegates", "-m", type=int, default=0)
    parser.add_argument("--slug", default=None, help="default: bench-<N>")
    args = parser.parse_args(argv)
    slug = args.slug or f"bench-{args.sessions}"
    app = create_app()
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        event = generate(args.sessions, slug)
        if args.delegates:
            generate_delegates(event, args.delegates)
        db.session.commit()
        print(f"{slug}: {args.sessions} sessions in {time.perf_counter() - t0:.1f}s "
              f"({app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

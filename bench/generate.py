"""Generate a benchmark event with N sessions (and their people), and M delegates, through the app's models.

    DIALOGUE_INSTANCE=/tmp/bench python bench/generate.py --sessions 1000
    DATABASE_URL=postgresql://... python bench/generate.py --sessions 1000 --slug bench-1000
    DIALOGUE_INSTANCE=/tmp/cop python bench/generate.py --cop      # COP28 scale, see below

The database is the app's (DIALOGUE_INSTANCE's SQLite file, or DATABASE_URL); the schema is
created if needed and an event with the same slug is replaced. Sessions spread over five days,
eight 90-minute slots a day, in as many rooms as needed, so several run in parallel, none
conflict, and each has a chair, two speakers and a contact.

`--delegates M` adds M accredited delegates in `--delegations K` delegations (default 2,500: one
per country as member or observer states, the rest organisations of every kind), the host
country's holding `--largest L` (default 4,409) and the others sharing the rest, states ten times
more than organisations. Names mix accents, ñ and other scripts (José NÚÑEZ, 丽 王, محمد العلي), so
that sorting and search meet what a real list has. `--cop` is COP28's size: 1,000 sessions,
100,000 delegates (COP28 registered 100,446), 2,500 delegations (2,350 observer organisations
took part), the largest of 4,409 (the host's). `--photos 0.5` gives half of the delegates a photo
of their own, through the upload's pipeline (`dialogue/delegates/photos.py`), in STORAGE_DIR.
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
from dialogue.sessions.models import Event, MeetingSession, Person, Room, SessionPerson
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
    rooms = [Room(event=event, name=T(f"Salle {r + 1}", f"Sala {r + 1}", f"Room {r + 1}"), capacity=100 + 50 * (r % 8),
                  booths=3 if r % 2 else 0) for r in range(per_slot)]

    def person(name, organisation, gender, email=""):
        return Person(event=event, name=name, organisation=organisation, gender=gender, email=email)
    for i in range(n_sessions):
        slot, room = divmod(i, per_slot)
        day, slot_of_day = divmod(slot, len(SLOTS))
        hours = SLOTS[slot_of_day]
        local = datetime(start.year, start.month, start.day) + timedelta(days=day, hours=hours)
        topic = TOPICS[i % len(TOPICS)]
        code = f"S{i + 1:04d}"
        s = MeetingSession(
            event=event, code=code, kind=KINDS[i % len(KINDS)], room=rooms[room],
            original_language="en", interpretation=["fr", "es", "en"], capacity=100 + i % 400,
            title=T(f"{topic[0]} : séance {i + 1}", f"{topic[1]}: sesión {i + 1}", f"{topic[2]}: session {i + 1}"),
            purpose=T(f"Échanger sur {topic[0].lower()}.", f"Intercambiar sobre {topic[1].lower()}.",
                      f"Exchange on {topic[2].lower()}."),
            starts_at=local_to_utc(local, TZ), ends_at=local_to_utc(local + timedelta(minutes=80), TZ))
        s.people = [
            SessionPerson(role="chair", person=person(f"Chair {i + 1}", "Ministry of Planning", "female"), position=0),
            SessionPerson(role="speaker", person=person(f"Speaker {i + 1}-a", "Civil society network", "male"), position=1),
            SessionPerson(role="speaker", person=person(f"Speaker {i + 1}-b", "Development bank", "other"), position=2),
            SessionPerson(role="contact", person=person(f"Contact {i + 1}", "Secretariat", "undisclosed",
                                                        f"contact{i + 1}@example.org"), position=3),
        ]
        db.session.add(s)
    db.session.flush()
    return event


#: COP28: 100,446 registered participants, 2,350 observer organisations, the host's delegation of 4,409.
COP = {"sessions": 1000, "delegates": 100_000, "delegations": 2500, "largest": 4409}
HOST = "AE"
ORGANISATION_KINDS = ("civil_society", "igo", "academia", "private_sector", "un_entity", "other", "civil_society")
ORGANISATION_WORDS = (("Réseau", "Red", "Network"), ("Fundación", "Fondation", "Foundation"), ("Institut", "Instituto",
                      "Institute"), ("Œuvre", "Obra", "Alliance"), ("Ñandú", "Ámbito", "Éco"), ("Zentrum", "Conseil", "Council"))
ORGANISATION_TOPICS = ("climat", "océans", "forêts", "énergie", "agua", "género", "justicia", "youth", "cities", "health")
GIVEN = ("José", "María", "Zoë", "Søren", "Łukasz", "Chloé", "Ahmed", "Hélène", "Nuño", "Ana", "Pedro", "Rosa", "Li",
         "Amara", "Kwame", "Ingrid", "Émile", "Yolanda", "Ngozi", "Tomás", "Fatima", "Olga", "丽", "محمد", "Ayşe",
         "Javier", "Mei", "Oluwaseun", "Beatriz", "Kenji")
FAMILY_ROOTS = ("Pér", "Nú", "Mül", "Gar", "Ro", "Fer", "Dí", "Ola", "Kow", "Ngu", "Tan", "Hal", "Ber", "Sil", "Ach", "Éb")
FAMILY_ENDS = ("ez", "ñez", "ler", "cía", "drigo", "nández", "az", "wale", "yen", "aka", "ström", "ger", "va", "ebe", "ert")
FAMILY_SCRIPTS = ("王", "العلي", "Иванов", "Ødegaard", "O'Brien")


def _people(n: int, rng):
    """n (given, family, gender) drawn from a few thousand combinations, some in other scripts."""
    for _i in range(n):
        given = rng.choice(GIVEN)
        if rng.random() < 0.05:
            family = rng.choice(FAMILY_SCRIPTS)
        else:
            family = rng.choice(FAMILY_ROOTS) + rng.choice(FAMILY_ENDS)
        yield given, family, rng.choice(("female", "male", "female", "male", "other", "undisclosed"))


def _shares(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, exactly (largest remainders)."""
    whole = sum(weights) or 1
    raw = [total * w / whole for w in weights]
    shares = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)[:total - sum(shares)]:
        shares[i] += 1
    return shares


def generate_delegates(event: Event, n_delegates: int, n_delegations: int = COP["delegations"],
                       largest: int = COP["largest"], seed: int = 28) -> list:
    """M accredited delegates in K delegations, the host's of `largest`; bulk inserts with the name
    keys the model would set. Returns the delegations, the host's first."""
    import random

    from sqlalchemy import insert

    from dialogue.delegates.models import Delegate, Delegation, name_keys
    from dialogue.delegates.services import countries

    rng = random.Random(seed)
    codes = [c for c, _n in countries("en")]
    codes.remove(HOST)
    n_delegations = max(1, n_delegations)
    delegations = [Delegation(event=event, kind="member_state", country=HOST, quota=10000)]
    for i, code in enumerate(codes[:n_delegations - 1]):
        delegations.append(Delegation(event=event, kind="member_state" if i < 196 else "observer_state", country=code))
    for i in range(n_delegations - len(delegations)):
        words = ORGANISATION_WORDS[i % len(ORGANISATION_WORDS)]
        name = f"{words[i // len(ORGANISATION_WORDS) % 3]} {ORGANISATION_TOPICS[i % len(ORGANISATION_TOPICS)]} {i + 1}"
        delegations.append(Delegation(event=event, kind=ORGANISATION_KINDS[i % len(ORGANISATION_KINDS)], name=name))
    largest = min(largest, n_delegates)
    sizes = [largest] + _shares(n_delegates - largest, [10 if d.country else 1 for d in delegations[1:]])
    for d, size in zip(delegations, sizes, strict=True):
        d.quota = max(size, 1)
    db.session.add_all(delegations)
    db.session.flush()
    keys: dict[tuple, tuple] = {}
    rows, n = [], 0
    for d, size in zip(delegations, sizes, strict=True):
        for i, (given, family, gender) in enumerate(_people(size, rng)):
            sort_name, search_name = keys.get((given, family)) or keys.setdefault((given, family), name_keys(given, family))
            rows.append({"delegation_id": d.id, "event_id": event.id, "given_name": given, "family_name": family,
                         "sort_name": sort_name, "search_name": search_name, "email": f"d{n}@example.org",
                         "role": "head" if i == 0 else ("alternate", "adviser", "member", "member")[i % 4],
                         "status": "accredited", "gender": gender, "function": "Delegate", "badge_code": f"b{event.id}-{n}"})
            n += 1
            if len(rows) >= 20_000:
                db.session.execute(insert(Delegate), rows)
                rows = []
    if rows:
        db.session.execute(insert(Delegate), rows)
    return delegations


def photo_bytes(index: int, rng) -> bytes:
    """A distinct portrait-like JPEG (a head and shoulders on a tinted background), as a camera sends one."""
    import io

    from PIL import Image, ImageDraw
    background = tuple(rng.randrange(120, 240) for _c in range(3))
    image = Image.new("RGB", (600, 800), background)
    draw = ImageDraw.Draw(image)
    skin = tuple(rng.randrange(90, 230) for _c in range(3))
    draw.ellipse((170, 140, 430, 460), fill=skin)
    draw.rectangle((110, 520, 490, 800), fill=tuple(rng.randrange(0, 120) for _c in range(3)))
    draw.text((20, 20), f"#{index}", fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def add_photos(event: Event, share: float, seed: int = 7) -> int:
    """Give a `share` (0 to 1) of the event's delegates a photo of their own, through the upload's
    pipeline (checked, cropped to 3:4, resized to the badge's 300 × 400, stored by SHA-256)."""
    import random

    from sqlalchemy import update

    from dialogue.delegates import photos
    from dialogue.delegates.models import Delegate

    rng = random.Random(seed)
    ids = list(db.session.scalars(select(Delegate.id).where(Delegate.event_id == event.id).order_by(Delegate.id)))
    chosen = sorted(rng.sample(ids, round(len(ids) * max(0.0, min(1.0, share)))))
    rows = [{"id": delegate_id, "photo_sha256": photos.store(photo_bytes(i, rng))} for i, delegate_id in enumerate(chosen)]
    for start in range(0, len(rows), 5000):
        db.session.execute(update(Delegate), rows[start:start + 5000])
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", "-n", type=int, default=1000)
    parser.add_argument("--delegates", "-m", type=int, default=0, help="accredited delegates (default none)")
    parser.add_argument("--delegations", "-k", type=int, default=COP["delegations"],
                        help=f"delegations the delegates belong to (default {COP['delegations']:,})")
    parser.add_argument("--largest", "-l", type=int, default=None,
                        help=f"delegates of the host's delegation (default {COP['largest']:,} in 100,000, in proportion)")
    parser.add_argument("--cop", action="store_true", help="COP28's size: " + ", ".join(f"--{k} {v}" for k, v in COP.items()))
    parser.add_argument("--slug", default=None, help="default: bench-<N>, or cop with --cop")
    parser.add_argument("--photos", type=float, default=0.0,
                        help="share of the delegates (0 to 1) given a photo, stored in STORAGE_DIR (default none)")
    args = parser.parse_args(argv)
    if args.cop:
        vars(args).update(COP)
        args.slug = args.slug or "cop"
    if args.largest is None:
        args.largest = max(1, round(args.delegates * COP["largest"] / COP["delegates"]))
    args.delegations = max(1, min(args.delegations, args.delegates))
    slug = args.slug or f"bench-{args.sessions}"
    app = create_app()
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        event = generate(args.sessions, slug)
        if args.delegates:
            generate_delegates(event, args.delegates, args.delegations, args.largest)
            if args.photos:
                print(f"{add_photos(event, args.photos):,} photos")
        db.session.commit()
        people = f", {args.delegates:,} delegates in {args.delegations:,} delegations" if args.delegates else ""
        print(f"{slug}: {args.sessions} sessions{people} in {time.perf_counter() - t0:.1f}s "
              f"({app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

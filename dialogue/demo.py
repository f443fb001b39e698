"""Demo data: the 2022 Effective Development Co-operation Summit and its regional dialogue.

Facts (dates, times, the 9 plenary and 13 working sessions, the institutions) come from the
concept note in shared/seeds; the text is our own, in French, Spanish and English. People are
fictitious and use example.org addresses.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from .auth import get_or_create_user, grant_role
from .extensions import db
from .sessions.models import Event, MeetingSession, Person, Room, SessionPerson
from .sessions.services import local_to_utc

SLUG = "effective-cooperation-summit-2022"
TZ = "Europe/Zurich"
DEMO_PASSWORD = "demo-dialogue-2022"  # noqa: S105  (the documented demo password)
ACCOUNTS = [
    ("organiser@example.org", "Olivia Marchetti", "organiser"),
    ("focal.point@example.org", "Diego Fernández", "focal_point"),
    ("rapporteur@example.org", "Camille Durand", "rapporteur"),
]


def T(fr: str, es: str, en: str) -> dict:
    return {"fr": fr, "es": es, "en": en}


# (code, kind, day, start, end, room, title)
PROGRAMME = [
    ("PL1", "plenary", 12, "09:00", "10:30", "Salle plénière", T(
        "Ouverture : un partenariat pour l'efficacité à l'heure des crises",
        "Apertura: una alianza para la eficacia en tiempos de crisis",
        "Opening: a partnership for effectiveness in a time of crises")),
    ("PL2", "plenary", 12, "11:00", "12:30", "Salle plénière", T(
        "L'appropriation nationale, fondement de la coopération",
        "La apropiación nacional, fundamento de la cooperación",
        "Country ownership as the foundation of co-operation")),
    ("WS01", "working", 12, "14:00", "15:30", "Salle 2", T(
        "Systèmes nationaux : utiliser et renforcer les institutions des pays",
        "Sistemas nacionales: usar y fortalecer las instituciones de los países",
        "Country systems: using and strengthening national institutions")),
    ("WS02", "working", 12, "14:00", "15:30", "Salle 3", T(
        "La coopération Sud-Sud et triangulaire au service de l'Agenda 2030",
        "La cooperación Sur-Sur y triangular al servicio de la Agenda 2030",
        "South-South and triangular co-operation for the 2030 Agenda")),
    ("WS03", "working", 12, "14:00", "15:30", "Salle 4", T(
        "Un environnement favorable à la société civile",
        "Un entorno propicio para la sociedad civil",
        "An enabling environment for civil society")),
    ("WS04", "working", 12, "16:00", "17:30", "Salle 2", T(
        "Le secteur privé dans la coopération : des principes aux pratiques",
        "El sector privado en la cooperación: de los principios a la práctica",
        "The private sector in co-operation: from principles to practice")),
    ("WS05", "working", 12, "16:00", "17:30", "Salle 3", T(
        "Transparence et redevabilité mutuelle",
        "Transparencia y rendición mutua de cuentas",
        "Transparency and mutual accountability")),
    ("PL3", "plenary", 12, "17:30", "18:00", "Salle plénière", T(
        "Le nouveau cadre de suivi du Partenariat mondial",
        "El nuevo marco de monitoreo de la Alianza Global",
        "The Global Partnership's new monitoring framework")),
    ("RD-LAC", "regional_dialogue", 12, "18:15", "19:30", "Salle 3", T(
        "Dialogue régional de haut niveau pour l'Amérique latine et les Caraïbes",
        "Diálogo regional de alto nivel para América Latina y el Caribe",
        "High-level Regional Dialogue for Latin America and the Caribbean")),
    ("PL4", "plenary", 13, "09:00", "10:30", "Salle plénière", T(
        "Ne laisser personne de côté : l'efficacité au service de l'inclusion",
        "No dejar a nadie atrás: la eficacia al servicio de la inclusión",
        "Leaving no one behind: effectiveness for inclusion")),
    ("WS06", "working", 13, "11:00", "12:30", "Salle 2", T(
        "La coopération dans les contextes fragiles",
        "La cooperación en contextos frágiles",
        "Co-operation in fragile contexts")),
    ("WS07", "working", 13, "11:00", "12:30", "Salle 3", T(
        "Les pays à revenu intermédiaire et le développement en transition",
        "Los países de renta media y el desarrollo en transición",
        "Middle-income countries and development in transition")),
    ("WS08", "working", 13, "11:00", "12:30", "Salle 4", T(
        "Financement climatique efficace",
        "Financiamiento climático eficaz",
        "Effective climate finance")),
    ("PL5", "plenary", 13, "14:00", "15:30", "Salle plénière", T(
        "Les parlements et les gouvernements locaux, acteurs de l'efficacité",
        "Los parlamentos y los gobiernos locales, actores de la eficacia",
        "Parliaments and local governments as actors of effectiveness")),
    ("WS09", "working", 13, "16:00", "17:30", "Salle 2", T(
        "Données et statistiques pour des résultats mesurables",
        "Datos y estadísticas para resultados medibles",
        "Data and statistics for measurable results")),
    ("WS10", "working", 13, "16:00", "17:30", "Salle 3", T(
        "Égalité des genres et coopération au développement",
        "Igualdad de género y cooperación al desarrollo",
        "Gender equality and development co-operation")),
    ("PL6", "plenary", 13, "17:45", "18:45", "Salle plénière", T(
        "Les fondations philanthropiques et les nouveaux partenaires",
        "Las fundaciones filantrópicas y los nuevos socios",
        "Philanthropic foundations and new partners")),
    ("PL7", "plenary", 14, "09:00", "10:30", "Salle plénière", T(
        "Reprise après la pandémie : reconstruire mieux, ensemble",
        "Recuperación tras la pandemia: reconstruir mejor, juntos",
        "Recovery after the pandemic: building back better, together")),
    ("WS11", "working", 14, "11:00", "12:30", "Salle 2", T(
        "La jeunesse dans les partenariats de développement",
        "La juventud en las alianzas para el desarrollo",
        "Youth in development partnerships")),
    ("WS12", "working", 14, "11:00", "12:30", "Salle 3", T(
        "Mobilisation des ressources intérieures",
        "Movilización de recursos internos",
        "Domestic resource mobilisation")),
    ("WS13", "working", 14, "11:00", "12:30", "Salle 4", T(
        "Coopération décentralisée et action locale",
        "Cooperación descentralizada y acción local",
        "Decentralised co-operation and local action")),
    ("PL8", "plenary", 14, "14:00", "15:30", "Salle plénière", T(
        "Engagements pour l'avenir du Partenariat mondial",
        "Compromisos para el futuro de la Alianza Global",
        "Commitments for the future of the Global Partnership")),
    ("PL9", "plenary", 14, "16:00", "17:00", "Salle plénière", T(
        "Clôture et déclaration finale",
        "Clausura y declaración final",
        "Closing and final declaration")),
]

RD_NOTE = {
    "context": T(
        "Ce dialogue se tient en marge des 9 sessions plénières et des 13 sessions de travail du Sommet. "
        "Il réunit des pays d'Amérique latine et des Caraïbes et d'autres acteurs du développement autour "
        "de l'Agenda pour une coopération efficace, au moment où la région se relève de la pandémie.\n\n"
        "La crise a creusé les écarts sociaux, économiques et institutionnels ; de nombreux pays à revenu "
        "intermédiaire de la région ont vu leurs indicateurs de pauvreté reculer de plus de dix ans. "
        "La coopération internationale, y compris Sud-Sud et triangulaire, reste un levier essentiel pour "
        "un développement durable et inclusif.",
        "Este diálogo se celebra en paralelo a las 9 sesiones plenarias y las 13 sesiones de trabajo de la "
        "Cumbre. Reúne a países de América Latina y el Caribe y a otros actores del desarrollo en torno a la "
        "Agenda para una cooperación eficaz, en un momento en que la región se recupera de la pandemia.\n\n"
        "La crisis amplió las brechas sociales, económicas e institucionales; muchos países de renta media de "
        "la región retrocedieron más de una década en sus indicadores de pobreza. La cooperación "
        "internacional, incluida la Sur-Sur y triangular, sigue siendo una palanca esencial para un "
        "desarrollo sostenible e inclusivo.",
        "This dialogue runs alongside the Summit's 9 plenary and 13 working sessions. It brings Latin American "
        "and Caribbean countries together with other development actors around the effective co-operation "
        "agenda, as the region recovers from the pandemic.\n\n"
        "The crisis widened social, economic and institutional gaps; many middle-income countries of the region "
        "lost more than a decade of progress on poverty. International co-operation, South-South and "
        "triangular co-operation included, remains a key lever for sustainable and inclusive development."),
    "purpose": T(
        "Offrir aux pays de la région un espace multipartite pour confronter leurs points de vue sur "
        "l'efficacité de la coopération, leurs défis et leurs solutions.",
        "Ofrecer a los países de la región un espacio multiactor para contrastar sus visiones sobre la "
        "eficacia de la cooperación, sus desafíos y sus soluciones.",
        "To give the countries of the region a multi-stakeholder space to compare their views on the "
        "effectiveness of co-operation, their challenges and their solutions."),
    "objectives": T(
        "- Réfléchir à l'efficacité de la coopération du point de vue de la région.\n"
        "- Partager idées, défis et solutions pour contribuer au Programme 2030.\n"
        "- Discuter du rôle du Partenariat mondial comme plateforme multipartite.",
        "- Reflexionar sobre la eficacia de la cooperación desde la perspectiva de la región.\n"
        "- Compartir ideas, desafíos y soluciones para contribuir a la Agenda 2030.\n"
        "- Debatir el papel de la Alianza Global como plataforma multiactor.",
        "- Reflect on effective co-operation from the region's point of view.\n"
        "- Share ideas, challenges and solutions that contribute to the 2030 Agenda.\n"
        "- Discuss the role of the Global Partnership as a multi-stakeholder platform."),
    "expected_results": T(
        "- Un dialogue officiel de haut niveau sur les visions et les positions des pays.\n"
        "- Un échange entre acteurs du développement sur une coopération efficace et inclusive.",
        "- Un diálogo oficial de alto nivel sobre las visiones y posiciones de los países.\n"
        "- Un intercambio entre actores del desarrollo sobre una cooperación eficaz e inclusiva.",
        "- A high-level official dialogue on the countries' views and positions.\n"
        "- An exchange among development actors on effective and inclusive co-operation."),
    "deliverable": T(
        "Un document final qui reprend les messages clés du dialogue sur les défis et les actions possibles.",
        "Un documento final que recoge los mensajes clave del diálogo sobre los desafíos y las acciones posibles.",
        "A final document with the key messages of the dialogue on challenges and possible actions."),
}

#: The regional dialogue's people: (role, name, organisation, gender, email). An organisation is one string
#: (Person.organisation is not translated), so each is written in its own official name, the same on every page.
RD_PEOPLE = [
    ("chair", "Rosa Quispe Mamani", "Agencia Peruana de Cooperación Internacional (APCI)", "female", ""),
    ("moderator", "Julián Herrera Ospina", "Ministerio de Relaciones Exteriores de Colombia", "male", ""),
    ("speaker", "Ana Beatriz Souza", "Agência Brasileira de Cooperação", "female", ""),
    ("speaker", "Tomás Villanueva", "Agencia Mexicana de Cooperación Internacional para el Desarrollo", "male", ""),
    ("contact", "Nadia Salazar", "Agencia Peruana de Cooperación Internacional (APCI)", "female", "nadia.salazar@example.org"),
    ("contact", "Lucía Prieto", "Ministerio de Relaciones Exteriores de Colombia", "female", "lucia.prieto@example.org"),
    ("contact", "Andrés Cortés", "GPEDC Joint Support Team (UNDP/OECD)", "male", "andres.cortes@example.org"),
    ("contact", "Luisa Romero", "GPEDC Joint Support Team (UNDP/OECD)", "female", "luisa.romero@example.org"),
]


#: The venue's rooms: the name the programme uses, then (names in fr/es/en, seats, interpretation booths).
ROOMS = {
    "Salle plénière": (T("Salle plénière", "Sala plenaria", "Plenary hall"), 600, 6),
    "Salle 2": (T("Salle 2", "Sala 2", "Room 2"), 120, 3),
    "Salle 3": (T("Salle 3", "Sala 3", "Room 3"), 120, 3),
    "Salle 4": (T("Salle 4", "Sala 4", "Room 4"), 80, 0),
}
#: Titles of the people of the directory, beside their organisation.
TITLES = {"Rosa Quispe Mamani": "Directora ejecutiva"}
#: Who chairs the opening plenaries (the same record on both).
PLENARY_CHAIR = ("Amina Diallo", "Co-Chair", "Global Partnership for Effective Development Co-operation", "female")


def _at(day: int, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return local_to_utc(datetime(2022, 12, day, hour, minute), TZ)


def load_demo() -> tuple[Event, bool]:
    """Create the demo event and accounts unless they exist. Returns (event, created)."""
    event = db.session.scalar(select(Event).where(Event.slug == SLUG))
    if event is not None:
        return event, False
    event = Event(
        slug=SLUG, timezone=TZ, starts_on=date(2022, 12, 12), ends_on=date(2022, 12, 14),
        status="published", original_language="fr",
        title=T("Sommet sur une coopération efficace au service du développement 2022",
                "Cumbre sobre la Cooperación Eficaz al Desarrollo 2022",
                "2022 Effective Development Co-operation Summit"),
        venue=T("Genève, Suisse", "Ginebra, Suiza", "Geneva, Switzerland"),
        description=T(
            "Trois jours de sessions plénières et de travail pour renouveler les engagements en faveur d'une "
            "coopération au développement efficace, avec un dialogue régional de haut niveau pour l'Amérique "
            "latine et les Caraïbes.",
            "Tres días de sesiones plenarias y de trabajo para renovar los compromisos con una cooperación al "
            "desarrollo eficaz, con un diálogo regional de alto nivel para América Latina y el Caribe.",
            "Three days of plenary and working sessions to renew commitments to effective development "
            "co-operation, with a high-level regional dialogue for Latin America and the Caribbean."),
    )
    db.session.add(event)
    rooms = {key: Room(event=event, name=name, capacity=seats, booths=booths)
             for key, (name, seats, booths) in ROOMS.items()}
    people = {n: Person(event=event, name=n, title=TITLES.get(n, ""), organisation=o, gender=g, email=e)
              for _r, n, o, g, e in RD_PEOPLE}
    name, title, organisation, gender = PLENARY_CHAIR
    chair = Person(event=event, name=name, title=title, organisation=organisation, gender=gender)
    for code, kind, day, start, end, room, title in PROGRAMME:
        s = MeetingSession(event=event, code=code, kind=kind, title=title, room=rooms[room],
                           starts_at=_at(day, start), ends_at=_at(day, end), original_language="fr",
                           interpretation=["fr", "es", "en"], capacity=600 if kind == "plenary" else 120)
        if code == "RD-LAC":
            s.original_language = "fr"
            s.capacity = 80
            for name, value in RD_NOTE.items():
                setattr(s, name, value)
            s.people = [SessionPerson(role=r, person=people[n], position=i)
                        for i, (r, n, _o, _g, _e) in enumerate(RD_PEOPLE)]
        elif code == "WS02":
            # Written in Spanish only: shows the fallback and its notice in the other languages.
            s.original_language = "es"
            s.purpose = {"es": "Compartir experiencias de cooperación Sur-Sur y triangular y sus aportes a la eficacia."}
        else:
            if code in ("PL1", "PL2"):
                s.people = [SessionPerson(role="chair", person=chair, position=0)]
            s.purpose = {"fr": f"Session {code} du Sommet : échanges entre gouvernements, organisations et société civile.",
                         "es": f"Sesión {code} de la Cumbre: intercambios entre gobiernos, organizaciones y sociedad civil.",
                         "en": f"Summit session {code}: exchanges between governments, organisations and civil society."}
        db.session.add(s)
    db.session.flush()
    for email, name, role in ACCOUNTS:
        user = get_or_create_user(email, name)
        user.set_password(DEMO_PASSWORD)
        user.is_admin = role == "organiser"
        grant_role(user, event, role)
    db.session.flush()
    # Other domains add their demo data through `load_demo(event)` in their demo module.
    from . import domain_modules
    for module in domain_modules("demo"):
        module.load_demo(event)
        db.session.flush()
    return event, True

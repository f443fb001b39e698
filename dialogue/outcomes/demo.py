"""Demo data: themes, approved key messages of the regional dialogue, a published outcome document.

The messages are our own summary of the themes of the concept note (written in Spanish, the
dialogue's working language, with French and English versions), not text from the seeds.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import User
from ..sessions.models import Event, MeetingSession
from . import document as outcome
from . import publications, services
from .models import SessionRapporteur


def T(fr: str, es: str, en: str) -> dict:
    return {"fr": fr, "es": es, "en": en}


THEMES = [
    T("Gouvernance de la coopération", "Gobernanza de la cooperación", "Governance of co-operation"),
    T("Besoins et demandes de coopération", "Necesidades y demandas de cooperación", "Co-operation needs and demands"),
    T("Systèmes d'information cohérents", "Sistemas de información coherentes", "Coherent information systems"),
    T("Approches nationales des ODD", "Enfoques nacionales de los ODS", "National approaches to the SDGs"),
    T("Financement du développement", "Financiamiento del desarrollo", "Financing for development"),
]

# (themes by index, text)
MESSAGES = [
    ([0], T(
        "Les pays de la région demandent une coopération qui s'appuie sur leurs propres **institutions et "
        "priorités**, et qui renforce la coordination entre ministères, agences et partenaires.",
        "Los países de la región piden una cooperación que se apoye en sus propias **instituciones y "
        "prioridades**, y que refuerce la coordinación entre ministerios, agencias y socios.",
        "The countries of the region call for co-operation that builds on their own **institutions and "
        "priorities**, and that strengthens co-ordination among ministries, agencies and partners.")),
    ([4, 1], T(
        "Le revenu par habitant ne suffit pas à mesurer le développement. Les participants proposent des "
        "critères plus larges pour l'accès à la coopération :\n\n"
        "- les écarts sociaux et territoriaux ;\n- la vulnérabilité climatique ;\n- la capacité fiscale.",
        "El ingreso per cápita no basta para medir el desarrollo. Los participantes proponen criterios más "
        "amplios para el acceso a la cooperación:\n\n"
        "- las brechas sociales y territoriales;\n- la vulnerabilidad climática;\n- la capacidad fiscal.",
        "Income per person is not enough to measure development. Participants propose broader criteria for "
        "access to co-operation:\n\n"
        "- social and territorial gaps;\n- climate vulnerability;\n- fiscal capacity.")),
    ([3], T(
        "La coopération Sud-Sud et triangulaire est un *apport propre* de la région : elle doit être mieux "
        "enregistrée, évaluée et reliée aux stratégies nationales pour le Programme 2030.",
        "La cooperación Sur-Sur y triangular es un *aporte propio* de la región: debe registrarse, evaluarse "
        "y vincularse mejor con las estrategias nacionales para la Agenda 2030.",
        "South-South and triangular co-operation is the region's *own contribution*: it should be better "
        "recorded, evaluated and linked to national strategies for the 2030 Agenda.")),
    ([2], T(
        "Des données ouvertes et comparables sur les flux de coopération aident les pays à décider, à rendre "
        "des comptes et à éviter les doubles emplois.",
        "Datos abiertos y comparables sobre los flujos de cooperación ayudan a los países a decidir, a rendir "
        "cuentas y a evitar duplicaciones.",
        "Open and comparable data on co-operation flows help countries decide, account for results and avoid "
        "duplication.")),
]

RECOMMENDATIONS = [
    T("Inviter le Partenariat mondial à tenir compte des propositions de la région dans son prochain cycle de suivi.",
      "Invitar a la Alianza Global a tener en cuenta las propuestas de la región en su próximo ciclo de monitoreo.",
      "Invite the Global Partnership to take the region's proposals into account in its next monitoring round."),
]
NEXT_STEPS = [
    T("Les pays présenteront ces messages lors de la séance plénière de clôture du Sommet.",
      "Los países presentarán estos mensajes en la sesión plenaria de clausura de la Cumbre.",
      "The countries will present these messages at the closing plenary of the Summit."),
]


def load_demo(event: Event) -> None:
    """Called by `dialogue demo` once the summit and its accounts exist."""
    session = db.session.scalar(select(MeetingSession).where(MeetingSession.event_id == event.id,
                                                             MeetingSession.code == "RD-LAC"))
    rapporteur = db.session.scalar(select(User).where(User.email == "rapporteur@example.org"))
    organiser = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
    if session is None or rapporteur is None or organiser is None:
        return
    db.session.add(SessionRapporteur(user=rapporteur, session=session))
    db.session.flush()
    with current_app.test_request_context(f"/es/events/{event.slug}/"):
        themes = services.set_themes(event, {code: "\n".join(t[code] for t in THEMES) for code in ("fr", "es", "en")},
                                     organiser)
        for position, (theme_indexes, text) in enumerate(MESSAGES, start=1):
            message = services.create_message(session, {
                "text": text, "original_language": "es", "position": position,
                "themes": [themes[i].id for i in theme_indexes]}, rapporteur)
            services.submit_message(message, rapporteur)
            services.approve_message(message, organiser)
        document = outcome.get_or_create_document(event)
        outcome.save_document(document, {
            "symbol": "ECS/2022/RD-LAC/1",
            "title": T("Messages clés du Dialogue régional de haut niveau pour l'Amérique latine et les Caraïbes",
                       "Mensajes clave del Diálogo regional de alto nivel para América Latina y el Caribe",
                       "Key messages of the High-level Regional Dialogue for Latin America and the Caribbean"),
            "place": T("Genève", "Ginebra", "Geneva"),
            "issued_on": event.ends_on,
            "original_language": "es",
            "preamble": T(
                "Nous, représentants des pays d'Amérique latine et des Caraïbes et des autres acteurs du "
                "développement réunis à Genève, faisons part des messages suivants au Sommet.",
                "Nosotros, representantes de los países de América Latina y el Caribe y de los demás actores "
                "del desarrollo reunidos en Ginebra, transmitimos a la Cumbre los siguientes mensajes.",
                "We, representatives of Latin American and Caribbean countries and other development actors "
                "meeting in Geneva, convey the following messages to the Summit."),
            "grouping": "session",
            "session_ids": [session.id],
            "recommendations": {code: "\n\n".join(r[code] for r in RECOMMENDATIONS) for code in ("fr", "es", "en")},
            "next_steps": {code: "\n\n".join(r[code] for r in NEXT_STEPS) for code in ("fr", "es", "en")},
        }, organiser)
    # Rendered outside the fake request above: PDFs are never made inside a request.
    publications.publish(document, organiser)

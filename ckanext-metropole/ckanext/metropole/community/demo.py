"""The demo's community: a few realistic reuses of the demo datasets
(published, one pending so a newcomer sees the moderation queue) and
innovation calls of the metropole (open, upcoming, closed) and data
requests at each stage. Loaded by
the demo loader (startup_checks.load_demo); idempotent by title."""

from __future__ import annotations

import datetime
from typing import Any

from ckan import model

from . import calls
from .model import Call, DataRequest, Reuse

DEMO_REUSES: list[dict[str, Any]] = [
    {"kind": "application", "title": "Mon P+R — trouver un parking relais",
     "description": "Application mobile qui indique le parking relais le plus proche et la "
                    "ligne de transport qui le dessert.",
     "url": "https://mon-pr.example.org/", "author": "Collectif Mobilités 13",
     "themes": ["mobilite"], "datasets": ["parkings-relais-metropole"], "status": "published"},
    {"kind": "visualization", "title": "Carte des marchés de la semaine",
     "description": "Une carte interactive des marchés forains, filtrée par jour de la "
                    "semaine et par commune.",
     "url": "https://marches.example.org/carte", "author": "Les Halles numériques",
     "themes": ["commerce"], "datasets": ["marches-forains"], "status": "published"},
    {"kind": "article", "title": "Où vont nos impôts ? Le budget 2026 décrypté",
     "description": "Un article de presse locale qui explique les grandes masses du budget "
                    "primitif 2026 de la métropole.",
     "url": "https://journal.example.org/budget-2026", "author": "La Gazette du Vieux-Port",
     "themes": ["services"], "datasets": ["budget-primitif-2026-metropole"],
     "status": "published"},
    {"kind": "idea", "title": "Parcours culturel à vélo",
     "description": "Idée : relier les équipements culturels de Marseille par un parcours "
                    "cyclable balisé, pour les journées du patrimoine.",
     "url": "https://idees.example.org/parcours-culturel", "author": "Camille, habitante",
     "themes": ["culture", "tourisme"], "datasets": ["equipements-culturels-marseille"],
     "status": "pending"},
]


# Dates relative to the day the demo is loaded: one call open, one upcoming,
# one closed.
DEMO_CALLS: list[dict[str, Any]] = [
    {"kind": "challenge", "title": "Défi « Stationner son vélo en ville »",
     "issuer": "epci", "opening": -10, "closing": 45,
     "description": "La métropole cherche des services numériques qui aident les cyclistes "
                    "à trouver un stationnement sûr près des pôles d'échanges.",
     "how_to_respond": "Envoyez un dossier de cinq pages au plus (équipe, solution, "
                       "calendrier) avant la date de clôture.",
     "contact": "innovation@ampmetropole.example.org",
     "attachments": [{"name": "Règlement du défi",
                      "url": "https://ampmetropole.example.org/defi-velo/reglement.pdf"}],
     "datasets": ["parkings-relais-metropole"]},
    {"kind": "citizen_consultation", "title": "Consultation : l'avenir des marchés forains",
     "issuer": "epci", "opening": 15, "closing": 60,
     "description": "Jours, horaires, emplacements : donnez votre avis sur les marchés "
                    "forains de demain.",
     "how_to_respond": "Répondez au questionnaire en ligne ouvert à toutes et tous.",
     "contact": "participation@ampmetropole.example.org", "attachments": [],
     "datasets": ["marches-forains"]},
    {"kind": "ami", "title": "AMI — valoriser les données culturelles",
     "issuer": "epci", "opening": -90, "closing": -30,
     "description": "Appel à manifestation d'intérêt pour des projets de médiation "
                    "culturelle appuyés sur les données ouvertes.",
     "how_to_respond": "Les candidatures sont closes.",
     "contact": "culture@ampmetropole.example.org", "attachments": [],
     "datasets": ["equipements-culturels-marseille"]},
]


def load_demo_calls(site_user_id: str, issuer_org_id: str) -> int:
    """Creates the demo calls that are missing; returns how many."""
    created = 0
    today = calls.today()
    for spec in DEMO_CALLS:
        if model.Session.query(Call).filter(Call.title == spec["title"]).first():
            continue
        ids = [pkg.id for pkg in (model.Package.get(name) for name in spec["datasets"])
               if pkg is not None]
        model.Session.add(Call(
            kind=spec["kind"], title=spec["title"], issuer_org_id=issuer_org_id,
            opening_date=today + datetime.timedelta(days=spec["opening"]),
            closing_date=today + datetime.timedelta(days=spec["closing"]),
            description=spec["description"], how_to_respond=spec["how_to_respond"],
            contact=spec["contact"], attachments=spec["attachments"], dataset_ids=ids,
            published=True, creator_user_id=site_user_id))
        created += 1
    model.Session.commit()
    return created


DEMO_REQUESTS: list[dict[str, Any]] = [
    {"title": "Horaires d'ouverture des piscines municipales",
     "reason": "Pour une application qui aide les familles à organiser leurs sorties "
               "sportives le week-end.", "communes": ["13055"], "themes": [], "status": "new"},
    {"title": "Emplacements des bornes de recharge pour vélos électriques",
     "reason": "Préparer un itinéraire cyclable longue distance entre Aix et Marseille.",
     "communes": ["13001", "13055"], "themes": ["velo-pietons"], "status": "in_progress"},
    {"title": "Liste des parkings relais et de leurs capacités",
     "reason": "Comparer l'offre de stationnement aux lignes de transport.",
     "communes": [], "themes": ["mobilite"], "status": "published",
     "dataset": "parkings-relais-metropole"},
]


def load_demo_requests(site_user_id: str) -> int:
    """Creates the demo data requests that are missing; returns how many."""
    created = 0
    for spec in DEMO_REQUESTS:
        if model.Session.query(DataRequest).filter(DataRequest.title == spec["title"]).first():
            continue
        dataset = model.Package.get(spec.get("dataset") or "")
        fields = {key: value for key, value in spec.items() if key != "dataset"}
        model.Session.add(DataRequest(creator_user_id=site_user_id,
                                      dataset_id=dataset.id if dataset else None, **fields))
        created += 1
    model.Session.commit()
    return created


def load_demo_community(site_user_id: str, issuer_org_id: str | None) -> None:
    """The demo loader's one call (it runs once the demo datasets exist)."""
    import click

    created = load_demo_reuses(site_user_id)
    if created:
        click.echo(f"Demo reuses created: {created}")
    created = load_demo_requests(site_user_id)
    if created:
        click.echo(f"Demo data requests created: {created}")
    if issuer_org_id:
        created = load_demo_calls(site_user_id, issuer_org_id)
        if created:
            click.echo(f"Demo innovation calls created: {created}")


def load_demo_reuses(site_user_id: str) -> int:
    """Creates the demo reuses that are missing; returns how many."""
    created = 0
    for spec in DEMO_REUSES:
        if model.Session.query(Reuse).filter(Reuse.title == spec["title"]).first():
            continue
        ids = [pkg.id for pkg in (model.Package.get(name) for name in spec["datasets"])
               if pkg is not None]
        if not ids:
            continue
        fields = {key: value for key, value in spec.items() if key != "datasets"}
        model.Session.add(Reuse(dataset_ids=ids, creator_user_id=site_user_id,
                                moderator_user_id=site_user_id, **fields))
        created += 1
    model.Session.commit()
    return created

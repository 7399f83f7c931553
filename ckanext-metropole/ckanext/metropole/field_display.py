"""How the catalogue's fields are shown: the template helpers of the ``metropole``
plugin (commune and theme titles, the charter block, extent, freshness),
including the ``choices_helper``s of the scheming forms."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from metropole_core import commune_registry as registry
from metropole_core import vocabularies


def _lang() -> str:
    try:
        return toolkit.h.lang() or "fr"
    except (RuntimeError, AttributeError, TypeError):
        return "fr"  # outside a request (API validation in a job, CLI)


def commune_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    whole = {"fr": "Toute la métropole", "en": "Whole metropole"}
    choices = [{"value": registry.WHOLE_METROPOLE, "label": vocabularies.localised(whole, _lang())}]
    communes = sorted(registry.communes().values(), key=lambda c: c.title)
    choices += [{"value": c.insee_code, "label": f"{c.title} ({c.insee_code})"} for c in communes]
    return choices


def theme_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    lang = _lang()
    return [{"value": t.slug, "label": vocabularies.localised(t.label, lang)}
            for t in vocabularies.themes().values()]


def frequency_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    lang = _lang()
    return [{"value": f.uri, "label": vocabularies.localised(f.label, lang)}
            for f in vocabularies.frequencies().values()]


def commune_title(code: str) -> str:
    if code == registry.WHOLE_METROPOLE:
        return vocabularies.localised({"fr": "Toute la métropole", "en": "Whole metropole"},
                                      _lang())
    known = registry.communes().get(code)
    return known.title if known else code


def theme_title(slug: str) -> str:
    theme = vocabularies.themes().get(slug)
    return vocabularies.localised(theme.label, _lang()) if theme else slug


ACCESS_LABELS = {
    "open": {"fr": "Ouvert à tous", "en": "Open to everyone"},
    "partners": {"fr": "Partenaires sous convention", "en": "Partners under convention"},
    "internal": {"fr": "Interne", "en": "Internal"},
}
PERSONAL_LABELS = {
    "none": {"fr": "Aucune", "en": "None"},
    "anonymised": {"fr": "Anonymisées", "en": "Anonymised"},
    "personal": {"fr": "Données personnelles", "en": "Personal data"},
}
HOSTING_LABELS = {
    "france": {"fr": "France", "en": "France"},
    "eu": {"fr": "Union européenne", "en": "European Union"},
    "outside_eu": {"fr": "Hors Union européenne", "en": "Outside the European Union"},
}


def charter_summary(pkg: dict[str, Any]) -> dict[str, str]:
    """The charter block of a dataset, in the user's language."""
    lang = _lang()
    licence = vocabularies.licences().get(pkg.get("license_id") or "")
    access = pkg.get("access_level") or "open"
    personal = pkg.get("personal_data") or "none"
    hosting = pkg.get("hosting_location") or "france"
    return {
        "licence": (licence.title_en if lang == "en" else licence.title) if licence
        else (pkg.get("license_title") or pkg.get("license_id") or ""),
        "licence_url": licence.url if licence else pkg.get("license_url", ""),
        "access_level": access,
        "access_label": vocabularies.localised(ACCESS_LABELS.get(access, {"fr": access}), lang),
        "personal_label": vocabularies.localised(
            PERSONAL_LABELS.get(personal, {"fr": personal}), lang),
        "hosting_label": vocabularies.localised(HOSTING_LABELS.get(hosting, {"fr": hosting}),
                                                lang),
        "convention_ref": pkg.get("convention_ref") or "",
        "reuse_conditions": pkg.get("reuse_conditions") or "",
    }


def dataset_extent(pkg: dict[str, Any]) -> str:
    """GeoJSON to draw on the dataset page: its own geometry, else its communes."""
    if pkg.get("spatial"):
        return pkg["spatial"]
    codes = pkg.get("communes") or []
    if isinstance(codes, str):
        codes = [codes]
    extent = registry.extent_of(list(codes))
    if extent is None:
        return ""
    from .communes.source import to_geojson

    # A page map needs ~100 m precision, not the outline of 92 communes.
    return to_geojson(extent.simplify(0.001, preserve_topology=True))


def communes_label(pkg: dict[str, Any]) -> str:
    codes = pkg.get("communes") or []
    if isinstance(codes, str):
        codes = [codes]
    return ", ".join(commune_title(code) for code in codes)


def freshness(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """When the latest observation was, and whether that is later than the
    dataset's frequency allows (sensor datasets); None for static data."""
    from metropole_core.freshness import freshness as compute

    state = compute(pkg)
    if state is None:
        return None
    return {"latest": state.latest.isoformat(), "late": state.late}


def get_helpers() -> dict[str, Any]:
    from .pages import commune, display, extents, resource_facts, use_data

    return {
        "metropole_use_data": use_data.use_data,
        "metropole_duration_label": display.duration_label,
        "metropole_resource_more_items": resource_facts.resource_more_items,
        "metropole_results_features": extents.results_features,
        "metropole_default_extent": extents.metropole_default_extent,
        "metropole_commune_page": commune.commune_page,
        "metropole_freshness": freshness,
        "metropole_charter_summary": charter_summary,
        "metropole_dataset_extent": dataset_extent,
        "metropole_communes_label": communes_label,
        "metropole_commune_choices": commune_choices,
        "metropole_theme_choices": theme_choices,
        "metropole_frequency_choices": frequency_choices,
        "metropole_commune_title": commune_title,
        "metropole_theme_title": theme_title,
    }

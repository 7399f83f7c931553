"""Template helpers of the theme: identity, home page blocks, language links
and the harvest source panels. All catalogue reads go through CKAN actions in
the user's context, so private datasets never show to whoever may not see them."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit
from markupsafe import Markup, escape

from metropole_core import commune_registry as registry

from .. import field_display
from ..pages import harvest_source
from . import settings

LANGUAGES = (("fr", "Français", "FR"), ("en", "English", "EN"))


def _context() -> dict[str, Any]:
    return {"user": toolkit.g.user or ""}


def theme() -> settings.Theme:
    return settings.current()


def language_links() -> list[dict[str, Any]]:
    """The current page in each offered language (CKAN prefixes /en/)."""
    current = toolkit.h.lang() or "fr"
    url = toolkit.h.current_url()
    return [{"code": code, "label": label, "short": short, "current": code == current,
             "url": toolkit.h.url_for(url, locale=code)}
            for code, label, short in LANGUAGES]


def home_themes() -> list[dict[str, Any]]:
    """The theme groups with their dataset counts, labels in the user's language."""
    groups = toolkit.get_action("group_list")(
        _context(), {"all_fields": True, "sort": "title asc"})
    return [{"name": g["name"], "title": field_display.theme_title(g["name"]),
             "count": g.get("package_count", 0)} for g in groups]


def home_communes(limit: int = 12) -> dict[str, Any]:
    """The communes that publish the most, and how many communes there are.

    The communes come from the registry (all of them: organization_list with
    all_fields stops at 25 and leaves out those without datasets); the counts
    from one search facet, with the datasets this user may see."""
    found = toolkit.get_action("package_search")(_context(), {
        "rows": 0, "facet.field": ["organization"], "facet.limit": -1,
        "include_private": True})
    counts = {item["name"]: item["count"]
              for item in found["search_facets"].get("organization", {}).get("items", [])}
    communes = [{"name": c.org_name, "title": c.title, "package_count": counts.get(c.org_name, 0)}
                for c in registry.communes().values()]
    shown = sorted(communes, key=lambda o: (-o["package_count"], o["title"]))[:limit]
    return {"shown": shown, "total": len(communes)}


def latest_datasets(limit: int = 6) -> list[dict[str, Any]]:
    result = toolkit.get_action("package_search")(
        _context(), {"rows": limit, "sort": "metadata_modified desc"})
    return result["results"]


DATETIME_FORMATS = {"fr": "%d/%m/%Y %H:%M", "en": "%Y-%m-%d %H:%M"}


def local_datetime(value: Any) -> str:
    """A date and time in the portal's time zone, written the user's way."""
    fmt = DATETIME_FORMATS.get(toolkit.h.lang() or "fr", DATETIME_FORMATS["en"])
    return toolkit.h.render_datetime(value, date_format=fmt)


def pager(page: Any, **kwargs: Any) -> Markup:
    """CKAN's pager with named previous/next links (its are bare icons,
    which screen readers announce as nothing)."""
    def symbol(icon: str, label: str) -> Markup:
        return Markup(f'<i class="fa-solid {icon}" aria-hidden="true"></i>'
                      f'<span class="visually-hidden">{escape(label)}</span>')

    return page.pager(symbol_previous=symbol("fa-chevron-left", toolkit._("Previous page")),
                      symbol_next=symbol("fa-chevron-right", toolkit._("Next page")), **kwargs)


def harvest_schedule(source_id: str) -> harvest_source.Schedule:
    return harvest_source.schedule(source_id)


def harvest_last_runs(source_id: str) -> list[dict[str, Any]]:
    return harvest_source.last_runs(source_id)


def harvest_changed_datasets(job_id: str) -> list[dict[str, Any]]:
    return harvest_source.changed_datasets(job_id)


def harvest_progress(source_id: str) -> dict[str, Any]:
    return harvest_source.progress(source_id).as_json()


def harvest_can_run(source_id: str) -> bool:
    return harvest_source.can_see_reports(source_id)


def get_helpers() -> dict[str, Any]:
    return {
        "metropole_theme": theme,
        "metropole_language_links": language_links,
        "metropole_home_themes": home_themes,
        "metropole_home_communes": home_communes,
        "metropole_latest_datasets": latest_datasets,
        "metropole_pager": pager,
        "metropole_datetime": local_datetime,
        "metropole_harvest_schedule": harvest_schedule,
        "metropole_harvest_last_runs": harvest_last_runs,
        "metropole_harvest_changed_datasets": harvest_changed_datasets,
        "metropole_harvest_progress": harvest_progress,
        "metropole_harvest_can_run": harvest_can_run,
    }

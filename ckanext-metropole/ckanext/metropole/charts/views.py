"""``/tableaux-de-bord`` and ``/tableaux-de-bord/<theme>``: the sensor dashboards."""

from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from flask import Blueprint

from . import dashboards as model
from . import store

dashboards = Blueprint("metropole_dashboards", __name__, url_prefix="/tableaux-de-bord")


@dashboards.route("/")
def index() -> str:
    return toolkit.render("charts/dashboards/index.html",
                          {"cards": model.index(store.context())})


@dashboards.route("/<slug>")
def theme(slug: str) -> str:
    if slug not in model.THEMES:
        return toolkit.abort(404, toolkit._("Dashboard not found"))
    page = model.build_theme(store.context(), slug)
    return toolkit.render("charts/dashboards/theme.html", {
        "page": page, "map_config": toolkit.h.get_common_map_config(),
        "themes": model.theme_links(),
    })

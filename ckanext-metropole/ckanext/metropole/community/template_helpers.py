"""What the community's templates (and the dataset page) ask for; themes
use the catalogue's helpers (metropole_theme_choices, metropole_theme_title)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from . import reuses


def dataset_reuses(dataset_id: str) -> list[dict]:
    """The published reuses of a dataset, for its page."""
    context = {"user": toolkit.g.user or ""}
    return toolkit.get_action("metropole_reuse_search")(
        context, {"dataset_id": dataset_id, "rows": 100})["results"]


def get_helpers() -> dict[str, Any]:
    return {"metropole_reuse_kinds": reuses.kind_labels,
            "metropole_reuse_statuses": reuses.status_labels,
            "metropole_dataset_reuses": dataset_reuses}

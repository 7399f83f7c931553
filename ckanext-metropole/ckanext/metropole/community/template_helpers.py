"""What the community's templates (and the dataset page) ask for; themes
use the catalogue's helpers (metropole_theme_choices, metropole_theme_title)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from . import calls, data_requests, reuses


def dataset_reuses(dataset_id: str) -> list[dict]:
    """The published reuses of a dataset, for its page."""
    context = {"user": toolkit.g.user or ""}
    return toolkit.get_action("metropole_reuse_search")(
        context, {"dataset_id": dataset_id, "rows": 100})["results"]


def dataset_calls(dataset_id: str) -> list[dict]:
    """The published calls offering a dataset, for its page."""
    context = {"user": toolkit.g.user or ""}
    return toolkit.get_action("metropole_call_search")(
        context, {"dataset_id": dataset_id, "rows": 100})["results"]


def call_issuers() -> list[dict]:
    return calls.issuer_choices(toolkit.g.user or "")


def options(labels: dict[str, str]) -> list[dict]:
    """A {value: label} dict as the options of CKAN's form.select macro."""
    return [{"value": value, "text": label} for value, label in labels.items()]


def get_helpers() -> dict[str, Any]:
    return {"metropole_reuse_kinds": reuses.kind_labels,
            "metropole_reuse_statuses": reuses.status_labels,
            "metropole_dataset_reuses": dataset_reuses,
            "metropole_call_kinds": calls.kind_labels,
            "metropole_call_statuses": calls.status_labels,
            "metropole_call_issuers": call_issuers,
            "metropole_dataset_calls": dataset_calls,
            "metropole_community_options": options,
            "metropole_data_request_statuses": data_requests.status_labels}

"""Harvest source configuration: parsed and validated when the source is saved.

Keys common to every scheduled harvester (sensor and GIS):

- ``schedule``: cron expression, Europe/Paris (``"5 * * * *"``: hourly at :05);
- ``job_timeout``: ISO 8601 duration after which a running job is failed;
- ``license_id``, ``themes``, ``communes`` (defaults when lookup finds none),
  ``title`` (suffix of dataset titles), ``timeout``, ``retries``, ``page_size``.

Each family adds its keys (``gis/config.py``, ``sensors/config.py``) and each
protocol adapter its own (``RULES`` of ``pipeline/protocol.py``), built from
the rules below and validated with :func:`check`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import yaml
from croniter import croniter

from metropole_core.durations import parse_duration
from metropole_core.schema_files import SCHEMAS


class ConfigError(ValueError):
    """All problems of a source configuration, one per line."""


@cache
def license_ids() -> frozenset[str]:
    return frozenset(item["id"] for item in json.loads((SCHEMAS / "licenses.json").read_text()))


@cache
def theme_slugs() -> frozenset[str]:
    data = yaml.safe_load((SCHEMAS / "vocabularies" / "themes.yaml").read_text())
    return frozenset(theme["slug"] for theme in data["themes"])


Rule = Callable[[Any], str | None]


def check(config: dict[str, Any], rules: dict[str, Rule]) -> None:
    errors = [f"{key}: {message}" for key, rule in rules.items()
              if key in config and (message := rule(config[key]))]
    unknown = sorted(set(config) - set(rules))
    if unknown:
        errors.append(f"unknown keys {', '.join(unknown)} (known: {', '.join(sorted(rules))})")
    if errors:
        raise ConfigError("\n".join(errors))


def load(text: str | None) -> dict[str, Any]:
    if not text or not text.strip():
        return {}
    try:
        config = json.loads(text)
    except ValueError as error:
        raise ConfigError(f"the configuration is not valid JSON: {error}") from error
    if not isinstance(config, dict):
        raise ConfigError("the configuration must be a JSON object {…}")
    return config


# -- rules ----------------------------------------------------------------------------
def cron(value: Any) -> str | None:
    if not isinstance(value, str) or not croniter.is_valid(value):
        return f"'{value}' is not a cron expression (e.g. \"5 * * * *\": hourly at minute 5)"
    return None


def duration(value: Any) -> str | None:
    try:
        parse_duration(value)
    except (ValueError, TypeError) as error:
        return str(error)
    return None


def one_of(*choices: str) -> Rule:
    return lambda v: None if v in choices else f"'{v}' is not one of {', '.join(choices)}"


def list_of(*choices: str) -> Rule:
    def rule(value: Any) -> str | None:
        if not isinstance(value, list) or not value or not set(value) <= set(choices):
            return f"must be a non-empty list among {', '.join(choices)}"
        return None
    return rule


def text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def texts(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, str | int) for v in value)
    return None if ok else "must be a list of strings"


def integer(low: int, high: int) -> Rule:
    def rule(value: Any) -> str | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and \
            low <= value <= high
        return None if ok else f"must be a number between {low} and {high}"
    return rule


def licence(value: Any) -> str | None:
    return None if value in license_ids() else \
        f"unknown licence '{value}' (see schemas/licenses.json: {', '.join(sorted(license_ids()))})"


def themes(value: Any) -> str | None:
    if not isinstance(value, list) or not set(value) <= theme_slugs():
        return f"must be a list among {', '.join(sorted(theme_slugs()))}"
    return None


def communes(value: Any) -> str | None:
    ok = isinstance(value, list) and all(
        v == "metropole" or re.fullmatch(r"\d[\dAB]\d{3}", str(v)) for v in value)
    return None if ok else "must be a list of INSEE codes such as 13055, or [\"metropole\"]"


COMMON: dict[str, Rule] = {
    "schedule": cron, "license_id": licence, "themes": themes, "communes": communes,
    "title": text, "timeout": integer(1, 300), "retries": integer(0, 10),
    "page_size": integer(1, 10000), "job_timeout": duration,
}

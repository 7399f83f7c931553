"""The controlled vocabularies of the catalogue, read from ``schemas/``
(data, not code): themes, update frequencies and licences."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import yaml

from .schema_files import SCHEMAS, VOCABULARIES

EU_THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"


@dataclass(frozen=True)
class Theme:
    slug: str
    label: dict[str, str]
    description: dict[str, str]
    eu_uri: str
    sensor: bool


@dataclass(frozen=True)
class Frequency:
    code: str
    uri: str
    label: dict[str, str]
    max_age: str | None  # ISO 8601 duration; None: never late


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    title_en: str
    url: str
    is_open: bool


@functools.cache
def themes() -> dict[str, Theme]:
    data = yaml.safe_load((VOCABULARIES / "themes.yaml").read_text())
    eu_base = data["eu_base"]
    return {
        t["slug"]: Theme(slug=t["slug"], label=t["label"], description=t["description"],
                         eu_uri=eu_base + t["eu"],
                         sensor=bool(t.get("sensor")))
        for t in data["themes"]
    }


@functools.cache
def frequencies() -> dict[str, Frequency]:
    """By URI (what datasets store)."""
    data = yaml.safe_load((VOCABULARIES / "frequencies.yaml").read_text())
    return {
        data["base"] + f["code"]: Frequency(code=f["code"], uri=data["base"] + f["code"],
                                            label=f["label"], max_age=f.get("max_age"))
        for f in data["frequencies"]
    }


@functools.cache
def licences() -> dict[str, Licence]:
    data = json.loads((SCHEMAS / "licenses.json").read_text())
    return {
        entry["id"]: Licence(id=entry["id"], title=entry["title"],
                             title_en=entry.get("title_en", entry["title"]),
                             url=entry.get("url", ""), is_open=bool(entry.get("is_open")))
        for entry in data
    }


def open_licence_ids() -> set[str]:
    return {licence.id for licence in licences().values() if licence.is_open}


def localised(labels: dict[str, str], lang: str) -> str:
    """The label in the user's language, French first."""
    return labels.get(lang) or labels.get("fr") or next(iter(labels.values()), "")

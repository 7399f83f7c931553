"""Is this a Table Schema? And fetching one by URL under the outbound policy.

A steward may give a schema by URL or as a file: both are untrusted. A URL is
fetched only through ``metropole_core.outbound`` (no local files, no internal
addresses, size-capped), must answer JSON, and the JSON must be a Table
Schema by frictionless' own descriptor check.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as toolkit

from metropole_core import outbound

# A schema is a few hundred kB at most (IRVE's is 40 kB).
MAX_SCHEMA_BYTES = 2 * 1024 * 1024
MAX_MESSAGES = 5


class NotATableSchema(ValueError):
    """The message is for the steward (French by the active locale)."""


def check(descriptor: Any) -> dict[str, Any]:
    """The descriptor if frictionless accepts it as a Table Schema."""
    from frictionless import Schema

    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list) \
            or not descriptor["fields"]:
        raise NotATableSchema(toolkit._(
            "This is not a Table Schema: a JSON object with a non-empty \"fields\" list "
            "is expected."))
    report = Schema.validate_descriptor(_without_custom_checks(descriptor))
    if not report.valid:
        notes = [str(note) for note in report.flatten(["note"])][:MAX_MESSAGES]
        raise NotATableSchema(toolkit._("This is not a valid Table Schema: {problems}").format(
            problems="; ".join(n[0] if isinstance(n, list) else n for n in notes)))
    return descriptor


def _without_custom_checks(descriptor: dict[str, Any]) -> dict[str, Any]:
    """Validata's ``custom_checks`` key is no part of Table Schema itself."""
    return {k: v for k, v in descriptor.items() if k != "custom_checks"}


def parse(text: str | bytes) -> dict[str, Any]:
    """A schema given as text (an uploaded or pasted file)."""
    try:
        descriptor = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise NotATableSchema(toolkit._("The schema is not valid JSON.")) from error
    return check(descriptor)


def fetch(url: str) -> dict[str, Any]:
    """A schema by URL, fetched under the outbound policy."""
    try:
        response = outbound.fetch(url, headers={"Accept": "application/json"}, timeout=20,
                                  max_bytes=MAX_SCHEMA_BYTES)
    except outbound.FetchFailed as error:
        raise NotATableSchema(toolkit._("The schema could not be fetched: {reason}").format(
            reason=str(error))) from error
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if "html" in content_type:
        raise NotATableSchema(toolkit._(
            "The schema URL answers a web page (HTML), not a JSON Table Schema: give the "
            "address of the schema.json file itself."))
    return parse(response.content)


def is_url(reference: str) -> bool:
    return reference.strip().lower().startswith(("http://", "https://"))

"""Checks shared by the community's forms: bounded text fields, required
ones, web addresses (http/https only: no javascript:, file: or data:)."""

from __future__ import annotations

from urllib.parse import urlsplit

import ckan.plugins.toolkit as toolkit


def web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def text_fields(data: dict, limits: dict[str, int], required: tuple[str, ...],
                addresses: tuple[str, ...] = ()) -> tuple[dict, dict[str, list[str]]]:
    """The stripped values of ``limits``' fields and the field-level errors."""
    _ = toolkit._
    clean: dict = {}
    errors: dict[str, list[str]] = {}
    for field, limit in limits.items():
        value = str(data.get(field) or "").strip()
        clean[field] = value
        if len(value) > limit:
            errors[field] = [_("At most {num} characters.").format(num=limit)]
        elif field in required and not value:
            errors[field] = [_("Missing value")]
        elif field in addresses and value and not web_address(value):
            errors[field] = [_("A web address starting with http:// or https://.")]
    return clean, errors


def flag(value) -> bool:
    """A form's checkbox or an API boolean; anything else (empty) is false."""
    return value is True or str(value or "").strip().lower() in ("1", "true", "on", "yes")

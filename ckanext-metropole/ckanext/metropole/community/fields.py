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


def strings(value) -> list[str] | None:
    """A list of strings from a form's repeated field or the API (one string
    or a list of them); None for any other shape (an object, a number, a
    nested list), which the caller reports on its field."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item for item in value if item]
    return None


def integer(data: dict, key: str, default: int, maximum: int) -> int:
    """A paging parameter, bounded to 0..maximum; not a number is a
    field-level error (the API's caller sees which parameter)."""
    value = data.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise toolkit.ValidationError({key: [toolkit._("A whole number.")]}) from None
    return min(max(number, 0), maximum)

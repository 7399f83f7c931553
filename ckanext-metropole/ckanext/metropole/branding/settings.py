"""The metropole's identity read from configuration (``ckanext.metropole.theme.*``,
declared in ``config_declaration.yaml``), defaulting to Aix-Marseille-Provence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as toolkit

# CSS custom properties are written into a <style> element: only plain hex
# colours are accepted, so configuration can never inject CSS.
_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class Theme:
    name: str
    logo: str
    primary_colour: str
    accent_colour: str
    contact_email: str

    def css_variables(self) -> str:
        return (f"--metropole-primary: {self.primary_colour}; "
                f"--metropole-accent: {self.accent_colour};")


def css_colour(value: Any) -> Any:
    """Config validator: a hex colour such as ``#0b4f8a``."""
    if value in (None, "") or _HEX_COLOUR.match(str(value)):
        return value
    raise toolkit.Invalid(f"Not a hex colour (#rgb or #rrggbb): {value}")


def current() -> Theme:
    config = toolkit.config
    return Theme(
        name=config.get("ckanext.metropole.theme.name"),
        logo=config.get("ckanext.metropole.theme.logo"),
        primary_colour=config.get("ckanext.metropole.theme.primary_colour"),
        accent_colour=config.get("ckanext.metropole.theme.accent_colour"),
        contact_email=config.get("ckanext.metropole.theme.contact_email") or "",
    )

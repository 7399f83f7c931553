"""Catalogue values said in words on dataset pages: ISO 8601 durations
("PT1H" → "1 heure") and coverage periods ("du … au …")."""

from __future__ import annotations

import ckan.plugins.toolkit as toolkit

from ..validators import ISO_DURATION


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural pair for `make i18n-extract` (keyword ngettext_noop);
    it is translated where used, with ``ungettext`` and the count."""
    return singular, plural


# Regex groups of ISO_DURATION holding each unit, with its words.
_UNITS = (
    (1, *ngettext_noop("%(num)s year", "%(num)s years")),
    (2, *ngettext_noop("%(num)s month", "%(num)s months")),
    (3, *ngettext_noop("%(num)s week", "%(num)s weeks")),
    (4, *ngettext_noop("%(num)s day", "%(num)s days")),
    (6, *ngettext_noop("%(num)s hour", "%(num)s hours")),
    (7, *ngettext_noop("%(num)s minute", "%(num)s minutes")),
    (8, *ngettext_noop("%(num)s second", "%(num)s seconds")),
)


def duration_label(value: str | None) -> str:
    """Words for an ISO 8601 duration; the value itself when it is not one."""
    match = ISO_DURATION.match(value or "")
    if not match:
        return value or ""
    parts = []
    for group, singular, plural in _UNITS:
        raw = match.group(group)
        if raw:
            number = raw[:-1]
            count = float(number)
            words = toolkit.ungettext(singular, plural, int(count) if count.is_integer() else 2)
            parts.append(words % {"num": number})
    return ", ".join(parts)

"""Field types and length limits for the catalogue's schemas (scheming).

Why: CKAN's ``unicode_safe`` turns any JSON value into text, so a title sent
as a number, a list or an object was stored as its Python repr, a list where
a code was expected reached code that indexes strings (500), and nothing
bounded a title or a description (a 1 MB title went to the index). These
validators run before ``unicode_safe`` in schemas/dataset.yaml and
schemas/organization.yaml and answer on the field, in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan.lib.navl.dictization_functions import Missing
from ckan.plugins import toolkit


def text_max_length(limit: str | int) -> Callable[[Any], Any]:
    """Text (not a number, list or object) of at most ``limit`` characters."""
    maximum = int(limit)

    def validator(value: Any) -> Any:
        if isinstance(value, Missing) or value is None:
            return value
        if not isinstance(value, str):
            raise toolkit.Invalid(toolkit._("Must be text."))
        if len(value) > maximum:
            raise toolkit.Invalid(toolkit._(
                "At most {maximum} characters (this text has {length}).").format(
                    maximum=maximum, length=len(value)))
        return value

    return validator


def list_of_text(value: Any) -> Any:
    """A choice or a list of choices, each a piece of text."""
    if isinstance(value, Missing) or value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise toolkit.Invalid(toolkit._("Must be a list of values."))


def validators() -> dict[str, Any]:
    return {"metropole_text_max_length": text_max_length,
            "metropole_list_of_text": list_of_text}

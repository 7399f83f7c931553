"""The schemas' ``custom_checks`` (Validata's names) as frictionless checks,
on frformat's French formats (maintained by the Validata team).

Validata itself pins Flask 2 and cannot live beside CKAN; its checks are a
few lines each on frformat, written here for the names the national schemas
use. A check name the portal does not know is listed in the report as not
run, never silently counted as passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
from frformat import CodeCommuneInsee, CodePostal, Millesime, Options, Siren, Siret
from frictionless import Check, errors


class FrenchFormatError(errors.CellError):
    type = "french-format"
    title = "French format"
    description = "The value is not a valid French identifier."
    template = "The cell {cell} in row at position {rowNumber} and field {fieldName} " \
               "at position {fieldNumber} has an error: {note}"


@attrs.define(kw_only=True, repr=False)
class _FrenchFormatCheck(Check):
    """A column whose non-empty values must pass one frformat format."""

    type = "french-format-value"
    format_name = ""
    french_format: ClassVar[Any] = None
    Errors = [FrenchFormatError]

    column: str

    def validate_start(self) -> Iterable[Any]:
        if self.column not in self.resource.schema.field_names:  # type: ignore[union-attr]
            yield errors.CheckError(note=f"column {self.column} is not in the schema")

    def validate_row(self, row: Any) -> Iterable[Any]:
        if self.column not in row.field_names:
            return
        value = row[self.column]
        if value in (None, ""):
            return
        if not self.french_format.is_valid(str(value)):
            yield FrenchFormatError.from_row(row, note=self.format_name,
                                             field_name=self.column)


# Validata's check name -> (the report's format name, frformat's format).
_FORMATS = {
    "french-siret-value": ("siret", Siret()),
    "french-siren-value": ("siren", Siren()),
    "french-insee-value": ("insee", CodeCommuneInsee(Millesime.LATEST, Options())),
    "french-postcode-value": ("postcode", CodePostal(Options())),
}
CHECKS = {name: type(f"Check_{format_name}", (_FrenchFormatCheck,),
                     {"type": name, "format_name": format_name, "french_format": checker})
          for name, (format_name, checker) in _FORMATS.items()}


def from_schema(descriptor: dict[str, Any]) -> tuple[list[Check], list[str]]:
    """The schema's custom checks the portal runs, and the names it cannot."""
    known: list[Check] = []
    unknown: list[str] = []
    for item in descriptor.get("custom_checks") or []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "")
        params = item.get("params") if isinstance(item.get("params"), dict) else {}
        column = params.get("column")
        if name in CHECKS and isinstance(column, str):
            known.append(CHECKS[name](column=column))
        elif name:
            unknown.append(name)
    return known, unknown

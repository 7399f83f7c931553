"""What is wrong and how to fix it, for each problem of a report, in the
reader's language (English msgids, French in the .po; French first)."""

from __future__ import annotations

import ast
import re
from typing import Any

import ckan.plugins.toolkit as toolkit

from .validation import Problem

_ = toolkit._


def _type_name(detail: str) -> str:
    names = {"integer": _("a whole number"), "number": _("a number (decimal point: 12.5)"),
             "boolean": _("true or false"), "date": _("a date (YYYY-MM-DD)"),
             "datetime": _("a date and time (YYYY-MM-DDThh:mm:ss)"),
             "year": _("a year"), "geopoint": _("a point (longitude, latitude)"),
             "string": _("some text")}
    match = re.search(r'type is "([a-z]+)', detail)
    return names.get(match.group(1), match.group(1)) if match else _("the schema's type")


def _constraint_value(detail: str) -> str:
    match = re.search(r'is "(.*)"$', detail)
    value = match.group(1) if match else ""
    if value.startswith("["):  # an enum, as Python writes a list
        try:
            return ", ".join(str(v) for v in ast.literal_eval(value))
        except (ValueError, SyntaxError):
            return value
    return value


def _constraint(problem: Problem) -> tuple[str, str]:
    limit = _constraint_value(problem.detail)
    known = {
        "required": (_("A value is required."), _("Fill in this cell.")),
        "pattern": (_("The value does not have the expected format."),
                    _("Follow the schema's format, for example: {example}").format(
                        example=problem.example) if problem.example else
                    _("Follow the format of the schema: {pattern}").format(pattern=limit)),
        "enum": (_("The value is not one of the allowed values."),
                 _("Use one of: {values}").format(values=limit)),
        "minimum": (_("The value is below the minimum."),
                    _("Give a value of at least {limit}.").format(limit=limit)),
        "maximum": (_("The value is above the maximum."),
                    _("Give a value of at most {limit}.").format(limit=limit)),
        "minLength": (_("The value is too short."),
                      _("Use at least {limit} characters.").format(limit=limit)),
        "maxLength": (_("The value is too long."),
                      _("Use at most {limit} characters.").format(limit=limit)),
        "unique": (_("The value appears more than once."), _("Make each value unique.")),
    }
    return known.get(problem.constraint or "", (_("The value breaks a rule of the schema."),
                                                problem.detail))


def explain(problem: Problem) -> tuple[str, str]:
    """(what is wrong, how to fix it)."""
    column = problem.column or ""
    french_formats = {
        "siret": (_("Invalid SIRET number."),
                  _("Check the 14 digits of the SIRET in the SIRENE directory "
                    "(annuaire-entreprises.data.gouv.fr).")),
        "siren": (_("Invalid SIREN number."),
                  _("Check the 9 digits of the SIREN in the SIRENE directory "
                    "(annuaire-entreprises.data.gouv.fr).")),
        "insee": (_("Unknown INSEE commune code."),
                  _("Use the commune's 5-character INSEE code, leading zero kept (01004).")),
        "postcode": (_("Unknown postcode."),
                     _("Use a 5-digit French postcode, leading zero kept (06000).")),
    }
    simple = {
        "type-error": (_("The value is not {type}.").format(type=_type_name(problem.detail)),
                       _("Write {type}.").format(type=_type_name(problem.detail))),
        "missing-label": (_("The column {column} of the schema is missing.").format(
            column=column), _("Add the column {column}, with this exact name.").format(
            column=column)),
        "extra-label": (_("The column {column} is not in the schema.").format(column=column),
                        _("Remove it, or rename it to a field of the schema.")),
        "incorrect-label": (_("The column name does not match the schema."),
                            _("Rename the column as the schema names it.")),
        "duplicate-label": (_("Two columns have the same name."),
                            _("Give each column its own name.")),
        "blank-label": (_("A column has no name."), _("Name the column, or remove it.")),
        "missing-cell": (_("The row has fewer cells than there are columns."),
                         _("Add the missing cells (empty ones if need be).")),
        "extra-cell": (_("The row has more cells than there are columns."),
                       _("Remove the extra cells, or check the separators and quotes.")),
        "blank-row": (_("The row is empty."), _("Remove the empty row.")),
        "primary-key": (_("This identifier is already used by another row."),
                        _("Give each row its own identifier.")),
        "unique-error": (_("The value appears more than once."), _("Make each value unique.")),
        "unknown-field": (_("The field {column} is not in the schema.").format(column=column),
                          _("Remove it, or map it onto a schema field in the resource's "
                            "field mapping.")),
        "encoding-error": (_("The file's encoding could not be read."),
                           _("Save the file as UTF-8.")),
        "source-error": (_("The file could not be read as a table."),
                         _("Check that the file is a CSV or spreadsheet file.")),
        "format-error": (_("The file's format is not supported."),
                         _("Publish the table as CSV or XLSX.")),
    }
    if problem.code == "constraint-error":
        return _constraint(problem)
    if problem.code == "french-format":
        return french_formats.get(problem.detail, (_("Invalid French identifier."), ""))
    return simple.get(problem.code, (_("The schema's check failed."), problem.detail))


def rows(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's lines for the template (problems as stored)."""
    out = []
    for data in problems:
        problem = Problem.from_json(data)
        what, fix = explain(problem)
        out.append({"row": problem.row, "column": problem.column, "value": problem.value,
                    "what": what, "fix": fix})
    return out


def for_api(problems: list[Problem]) -> list[dict[str, Any]]:
    """A record's errors as the ingestion API answers them."""
    return [{"field": p.column, "value": p.value, "message": explain(p)[0],
             "fix": explain(p)[1]} for p in problems]

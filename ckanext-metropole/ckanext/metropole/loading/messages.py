"""What the loader tells the steward, stored as codes with parameters and
written in the reader's language when the status is shown (a job has no
request, hence no language).

Every text goes through ``toolkit._`` at display time; its French is in the
extension's catalogue.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit


def _texts() -> dict[str, str]:
    _ = toolkit._
    return {
        # failures (nothing loaded, the previous table is kept)
        "empty_file": _("The file is empty."),
        "header_only": _("The file has a header line but no data rows."),
        "binary_file": _("The file is not a text table (it looks like a binary file): "
                         "check its format or export it again as CSV."),
        "bad_encoding": _("The file's characters could not be read (encoding not recognised)."),
        "ragged_rows": _("Line %(line)s has %(found)s values for %(expected)s columns "
                         "(%(count)s such lines). Check the separator and quotes."),
        "too_many_columns": _("The file has %(found)s columns; at most %(limit)s can be loaded."),
        "too_large": _("The file is larger than the limit of %(limit)s MB."),
        "zip_bomb": _("The spreadsheet expands to more than %(limit)s MB once unpacked: "
                      "it is refused."),
        "bad_spreadsheet": _("The spreadsheet could not be read: %(detail)s"),
        "no_sheet": _("The spreadsheet has no sheet with data."),
        "url_refused": _("The link points to an address the portal may not fetch."),
        "url_status": _("The link answered with HTTP status %(status)s."),
        "url_html": _("The link returns a web page (HTML), not a data file."),
        "url_error": _("The link could not be fetched (%(detail)s)."),
        "no_file": _("The resource has no uploaded file."),
        "bad_value": _("Line %(line)s, column \"%(column)s\": \"%(value)s\" is not a valid "
                       "%(type)s (%(count)s such values). Correct the file, or change the "
                       "column's type in the data dictionary."),
        "not_tabular": _("The format %(format)s is not a table the portal loads."),
        "internal": _("The load failed because of an internal error; the administrators "
                      "have been told."),
        # warnings (the load went on)
        "renamed_empty": _("Column %(position)s had no name: it is called \"%(name)s\"."),
        "renamed_duplicate": _("Column \"%(original)s\" appears more than once: "
                               "the copy in position %(position)s is called \"%(name)s\"."),
        "renamed_long": _("Column name \"%(original)s\" is too long: it is cut to \"%(name)s\"."),
        "html_cells": _("%(count)s cells contain HTML markup: it is stored and shown as "
                        "plain text."),
        "unchanged": _("The file has not changed since the last load: nothing to do."),
        "type_from_schema": _("Column types come from the declared schema."),
        "short_rows": _("%(count)s lines had fewer values than columns: the missing "
                        "values are empty."),
    }


def type_name(kind: str) -> str:
    _ = toolkit._
    return {"text": _("text"), "int8": _("integer"), "numeric": _("number"),
            "date": _("date"), "timestamp": _("date and time"), "bool": _("boolean (oui/non)"),
            }.get(kind, kind)


def render(message: dict[str, Any]) -> str:
    """One stored message ({"code": …, "params": {…}}) in the reader's language."""
    params = dict(message.get("params") or {})
    if "type" in params:
        params["type"] = type_name(params["type"])
    text = _texts().get(message.get("code", ""), _texts()["internal"])
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text


class LoadError(Exception):
    """A load that cannot go on; the previous table stays as it was."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.message = {"code": code, "params": params}

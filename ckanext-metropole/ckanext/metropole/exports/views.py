"""``/datastore/export/<resource_id>/<format>``: a DataStore table as a file.

CKAN 2.12's ``/datastore/dump`` has no extension point for formats (its
writers are chosen in a fixed ``if`` chain), so the exports have their own
route, built on the same action as the dump (``datastore_search`` with the
caller's identity, page by page; records.py).

A table the caller may not read answers 404, as CKAN's dump does: whether a
private table exists is not told. A bad parameter answers 400 with a French
message naming it; the database's own messages (SQL) are never shown.
"""

from __future__ import annotations

import logging

from ckan.plugins import toolkit
from ckan.plugins.toolkit import _
from flask import Blueprint, Response, stream_with_context

from .binary_writers import XLSX_MAX_ROWS
from .formats import FORMATS
from .geo import find_geo_columns
from .query import QueryError, parse_query
from .records import count_rows, open_export, table_columns

log = logging.getLogger(__name__)

exports = Blueprint("metropole_exports", __name__)


def _not_found() -> None:
    toolkit.abort(404, _("Table not found, or you may not read it."))


def export(resource_id: str, fmt: str) -> Response:
    export_format = FORMATS.get(fmt)
    if export_format is None:
        toolkit.abort(
            404,
            _("Unknown export format. Available: %(formats)s") % {"formats": ", ".join(FORMATS)},
        )
    user = toolkit.current_user.name if toolkit.current_user.is_authenticated else ""
    try:
        columns = table_columns(user, resource_id)
        query = parse_query(toolkit.request.args, {c.id for c in columns})
        if export_format.key == "xlsx" and count_rows(user, resource_id, query) > XLSX_MAX_ROWS:
            return toolkit.abort(
                400,
                _(
                    "An Excel sheet holds at most %(rows)s rows: filter the "
                    "table, or choose CSV or Parquet."
                )
                % {"rows": f"{XLSX_MAX_ROWS:,}".replace(",", " ")},
            )
        table = open_export(user, resource_id, query, records_format=export_format.records_format,
                            cells=export_format.cells)
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return _not_found()
    except QueryError as error:
        return toolkit.abort(400, str(error))
    except toolkit.ValidationError as error:
        # e.g. a filter value of the wrong type for its column: the message
        # from the database may hold SQL, so only the parameter is named.
        log.info("export of %s refused: %s", resource_id, error.error_dict)
        return toolkit.abort(
            400,
            _(
                "The query does not fit this table (check the types of the "
                "filter values and the full-text query)."
            ),
        )
    if export_format.needs_positions and find_geo_columns(table.columns) is None:
        toolkit.abort(
            400,
            _(
                "GeoJSON needs positions: this table has no latitude/longitude "
                "columns or geometry column (among the exported fields)."
            ),
        )
    filename = f"{resource_id}.{export_format.extension}"
    return Response(
        stream_with_context(export_format.write(table.columns, table.pages)),
        headers={
            "Content-Type": export_format.media_type,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


exports.add_url_rule("/datastore/export/<resource_id>/<fmt>", view_func=export)

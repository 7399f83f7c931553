"""The export formats: one declaration each (URL key, label, file, writer)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .binary_writers import write_parquet, write_xlsx
from .columns import Column
from .geo import write_geojson
from .sql_cells import EXCEL_FR, NEUTRALISED
from .text_writers import write_csv, write_csv_excel_fr, write_json

Writer = Callable[[list[Column], Iterable[Any]], Iterator[bytes]]


@dataclass(frozen=True)
class ExportFormat:
    key: str  # in the URL: /datastore/export/<resource id>/<key>
    label: str  # English msgid, translated where shown
    extension: str
    media_type: str
    write: Writer
    # How pages are read (records.py): rows ("lists") or PostgreSQL's CSV
    # ("csv"), and then how PostgreSQL writes CSV cells (sql_cells.py).
    records_format: str = "lists"
    cells: str | None = None
    needs_positions: bool = False


FORMATS: dict[str, ExportFormat] = {f.key: f for f in (
    ExportFormat("csv", "CSV", "csv", "text/csv; charset=utf-8", write_csv,
                 records_format="csv", cells=NEUTRALISED),
    ExportFormat("csv-excel-fr", "CSV for Excel (French, ';')", "csv",
                 "text/csv; charset=utf-8", write_csv_excel_fr,
                 records_format="csv", cells=EXCEL_FR),
    ExportFormat("json", "JSON", "json", "application/json", write_json),
    ExportFormat("xlsx", "Excel (XLSX)", "xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx),
    ExportFormat("parquet", "Parquet", "parquet", "application/vnd.apache.parquet",
                 write_parquet, records_format="csv"),
    ExportFormat("geojson", "GeoJSON", "geojson", "application/geo+json", write_geojson,
                 needs_positions=True),
)}

"""CSV (UTF-8), CSV for Excel in France, and JSON, written page by page.

CSV for Excel in France: ``;`` separator (Excel's list separator in French
locales), UTF-8 with a BOM (without it Excel reads Windows-1252), decimal
comma in non-integer numeric columns (Excel fr-FR reads ``1.5`` as text or a
date), and date-times as ``2026-12-31 10:00:00`` (Excel does not read the ISO
``T``; zero milliseconds dropped). The plain CSV keeps the data as the API gives it.
Both CSVs neutralise formula-looking text cells (neutralise.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import msgspec

from .columns import BOOLEAN, DATETIME, JSON, NUMBER, TEXT, Column
from .neutralise import neutralise

BOM = "\ufeff"
Cell = Callable[[Any], Any]


def _boolean(value: Any) -> Any:
    return value if value is None else ("true" if value else "false")


def _json_text(value: Any) -> Any:
    return value if value is None else neutralise(json.dumps(value, ensure_ascii=False))


def _text(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def _decimal_comma(value: Any) -> Any:
    return value if value is None else str(value).replace(".", ",")


def _spaced_datetime(value: Any) -> Any:
    # The DataStore gives 2026-12-31T10:30:00.000; zero milliseconds say nothing.
    return value if value is None else value.replace("T", " ", 1).removesuffix(".000")


def _csv_cells(columns: list[Column], excel_fr: bool) -> list[Cell | None]:
    """One converter per column; None where the value goes out as it is."""
    cells: list[Cell | None] = []
    for column in columns:
        kind = column.kind
        if kind == TEXT:
            cells.append(_text)
        elif kind == JSON:
            cells.append(_json_text)
        elif kind == BOOLEAN:
            cells.append(_boolean)
        elif kind == NUMBER and excel_fr:
            cells.append(_decimal_comma)
        elif kind == DATETIME and excel_fr:
            cells.append(_spaced_datetime)
        else:
            cells.append(None)
    return cells


def write_csv(
    columns: list[Column], pages: Iterable[list[list[Any]]], *, excel_fr: bool = False
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel_fr else ",", lineterminator="\r\n")
    if excel_fr:
        buffer.write(BOM)
    writer.writerow([neutralise(c.id) for c in columns])
    converters = [(i, cell) for i, cell in enumerate(_csv_cells(columns, excel_fr)) if cell]
    for records in pages:
        if converters:
            for row in records:
                for i, cell in converters:
                    row[i] = cell(row[i])
        writer.writerows(records)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv_excel_fr(columns: list[Column], pages: Iterable[list[list[Any]]]) -> Iterator[bytes]:
    return write_csv(columns, pages, excel_fr=True)


def write_json(columns: list[Column], pages: Iterable[list[list[Any]]]) -> Iterator[bytes]:
    """A JSON array of objects, one per row (column id -> value), like Opendatasoft's."""
    names = [c.id for c in columns]
    encode = msgspec.json.Encoder().encode
    separator = b"[\n"
    for records in pages:
        yield separator + b",\n".join(encode(dict(zip(names, row, strict=True))) for row in records)
        separator = b",\n"
    yield b"[]\n" if separator == b"[\n" else b"\n]\n"

"""CSV (UTF-8), CSV for Excel in France, and JSON, written page by page.

The CSV pages come from PostgreSQL's COPY with their cells already written
(sql_cells.py): formula-looking text neutralised, and for Excel in France
decimal commas and ``2026-12-31 10:30:00`` date-times (Excel fr-FR reads
``1.5`` as text or a date, and not the ISO ``T``). The French variant also
has the ``;`` separator (Excel's list separator in French locales) and a
UTF-8 BOM (without it Excel reads Windows-1252): its pages are re-delimited
here by the csv module (C code).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from .columns import Column
from .neutralise import neutralise

BOM = "\ufeff"


def _header(columns: list[Column], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerow(
        [neutralise(c.id) for c in columns])
    return buffer.getvalue()


def write_csv(columns: list[Column], pages: Iterable[str]) -> Iterator[bytes]:
    yield _header(columns, ",").encode("utf-8")
    for text in pages:
        yield text.encode("utf-8")


def write_csv_excel_fr(columns: list[Column], pages: Iterable[str]) -> Iterator[bytes]:
    yield (BOM + _header(columns, ";")).encode("utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    for text in pages:
        writer.writerows(csv.reader(io.StringIO(text, newline="")))
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def write_json(columns: list[Column], pages: Iterable[list[list[Any]]]) -> Iterator[bytes]:
    """A JSON array of objects, one per row (column id -> value), like Opendatasoft's."""
    names = [c.id for c in columns]
    encode = msgspec.json.Encoder().encode
    separator = b"[\n"
    for records in pages:
        yield separator + b",\n".join(encode(dict(zip(names, row, strict=True))) for row in records)
        separator = b",\n"
    yield b"[]\n" if separator == b"[\n" else b"\n]\n"

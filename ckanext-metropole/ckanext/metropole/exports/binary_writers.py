"""XLSX and Parquet, written with bounded memory.

XLSX: openpyxl's write-only workbook keeps rows in a temporary file, the
finished workbook is then streamed from disk (a zip's directory comes last,
so nothing can be sent before the last row). Numbers, booleans and dates are
typed cells; text is neutralised (openpyxl would otherwise store ``=...`` as a
formula) and cleared of the control characters XLSX forbids.

Parquet: pages of CSV from PostgreSQL's COPY, parsed by Arrow (C++), one row
group per page, each flushed to the response as written; column types from
the DataStore's (numeric -> float64: Parquet decimals need a fixed scale the
DataStore does not declare; time, JSON and arrays -> text).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .columns import BOOLEAN, DATE, DATETIME, INTEGER, JSON, NUMBER, Column
from .neutralise import neutralise

CHUNK = 1 << 20
# Excel's last row is 1,048,576; one is the header.
XLSX_MAX_ROWS = 1_048_575


def _xlsx_text(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _xlsx_json(value: Any) -> Any:
    return value if value is None else _xlsx_text(json.dumps(value, ensure_ascii=False))


def _xlsx_date(value: Any) -> Any:
    return value if value is None else dt.date.fromisoformat(value)


def _xlsx_datetime(value: Any) -> Any:
    # Excel has no time zones: the wall-clock time as stored.
    return value if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=None)


def _xlsx_cells(columns: list[Column]) -> list[Callable[[Any], Any] | None]:
    by_kind = {
        DATE: _xlsx_date,
        DATETIME: _xlsx_datetime,
        JSON: _xlsx_json,
        INTEGER: None,
        NUMBER: None,
        BOOLEAN: None,
    }
    return [by_kind.get(c.kind, _xlsx_text) for c in columns]


def _file_chunks(handle: Any) -> Iterator[bytes]:
    handle.seek(0)
    while chunk := handle.read(CHUNK):
        yield chunk


def write_xlsx(columns: list[Column], pages: Iterable[list[list[Any]]]) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append([_xlsx_text(c.id) for c in columns])
    converters = [(i, cell) for i, cell in enumerate(_xlsx_cells(columns)) if cell]
    for records in pages:
        for row in records:
            for i, cell in converters:
                row[i] = cell(row[i])
            sheet.append(row)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        yield from _file_chunks(handle)


_ARROW_TYPES = {INTEGER: pa.int64(), NUMBER: pa.float64(), BOOLEAN: pa.bool_(),
                DATE: pa.date32(), DATETIME: pa.timestamp("us")}


def arrow_schema(columns: list[Column]) -> pa.Schema:
    return pa.schema([(c.id, _ARROW_TYPES.get(c.kind, pa.string())) for c in columns])


def _csv_reader(schema: pa.Schema) -> Callable[[str], pa.Table]:
    """Arrow's CSV parser (C++) for the DataStore's COPY output: t/f
    booleans, empty unquoted = null, quoted ``""`` = empty text, nothing else
    null (a cell "NA" stays text)."""
    read_options = pa_csv.ReadOptions(column_names=schema.names)
    parse_options = pa_csv.ParseOptions(newlines_in_values=True)
    convert_options = pa_csv.ConvertOptions(
        column_types=schema, true_values=["t"], false_values=["f"], null_values=[""],
        strings_can_be_null=True, quoted_strings_can_be_null=False)

    def read(text: str) -> pa.Table:
        return pa_csv.read_csv(pa.BufferReader(text.encode("utf-8")), read_options=read_options,
                               parse_options=parse_options, convert_options=convert_options)

    return read


class _Sink:
    """A write-only file whose bytes are taken out after each row group."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0
        self.closed = False

    def write(self, data: Any) -> int:
        data = bytes(data)
        self.parts.append(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def write_parquet(columns: list[Column], pages: Iterable[str]) -> Iterator[bytes]:
    """Pages of CSV from PostgreSQL's COPY, parsed by Arrow, one row group each."""
    schema = arrow_schema(columns)
    read = _csv_reader(schema)
    sink = _Sink()
    with pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema, compression="snappy") as writer:
        for text in pages:
            writer.write_table(read(text))
            yield sink.take()
    yield sink.take()

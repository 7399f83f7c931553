"""Read a tabular file (CSV, TSV, XLSX, ODS, XLS) as a header and rows of
strings, whatever its encoding, separator or spreadsheet format.

- Encoding: a UTF-8 BOM decides; otherwise UTF-8 if the start of the file is
  valid UTF-8; otherwise what charset-normalizer (a CKAN dependency) finds,
  Windows-1252 when it hesitates between the Latin ones (what Excel writes in
  France).
- Separator: the one of ``;``, tab, ``,`` and ``|`` that splits the first
  lines into the same number of fields, more than one.
- Spreadsheets: python-calamine (Rust's calamine: XLSX, ODS, XLS, no
  formulas run). The archive's announced unpacked size is checked before it
  is opened, so a zip bomb is refused without being expanded.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from .messages import LoadError

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (";", "\t", ",", "|")
SPREADSHEETS = {"xlsx", "ods", "xls"}
TEXT_TABLES = {"csv", "tsv", "txt"}
TABULAR_FORMATS = SPREADSHEETS | TEXT_TABLES
_LATIN = {"cp1252", "latin_1", "iso8859_15", "iso8859_1", "cp1250", "mac_roman", "iso8859_9"}
# PostgreSQL names are at most 63 bytes.
MAX_NAME_BYTES = 63

csv.field_size_limit(10 * 1024 * 1024)


@dataclass
class Limits:
    max_columns: int
    max_unpacked_bytes: int


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    if best is None or best.encoding in _LATIN:
        return "cp1252"
    return best.encoding


def detect_delimiter(text: str, hint: str | None = None) -> str:
    if hint:
        return hint
    lines = text.splitlines()[:50]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]   # the sample may cut the last line
    best, best_score = ",", -1
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts or counts[0] < 2:
            continue
        score = sum(1 for count in counts if count == counts[0]) * 1000 + counts[0]
        if score > best_score:
            best, best_score = delimiter, score
    return best


def looks_binary(sample: bytes) -> bool:
    return b"\x00" in sample or sample.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF"))


@dataclass
class Source:
    """A file to read and how: ``rows()`` can be called more than once."""

    path: Path
    kind: str              # "csv" or "spreadsheet"
    encoding: str = "utf-8"
    delimiter: str = ","
    cells: list[list[str]] | None = None   # a spreadsheet's sheet, read once

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells), the header included."""
        if self.cells is not None:
            yield from enumerate(self.cells, start=1)
            return
        with open(self.path, encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            try:
                for row in reader:
                    yield reader.line_num, row
            except UnicodeDecodeError as error:
                raise LoadError("bad_encoding") from error
            except csv.Error as error:
                raise LoadError("ragged_rows", line=reader.line_num, found="?",
                                expected="?", count=1) from error


def open_text_table(path: Path, tab_separated: bool) -> Source:
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if not sample.strip().lstrip(codecs.BOM_UTF8).strip():
        raise LoadError("empty_file")
    if looks_binary(sample):
        raise LoadError("binary_file")
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    if sum(1 for c in text if not c.isprintable() and c not in "\r\n\t") > len(text) // 20:
        raise LoadError("binary_file")
    return Source(path, "csv", encoding, detect_delimiter(text, "\t" if tab_separated else None))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def open_spreadsheet(path: Path, limits: Limits) -> Source:
    from python_calamine import CalamineWorkbook

    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError) as error:
            raise LoadError("bad_spreadsheet", detail=type(error).__name__) from error
        if unpacked > limits.max_unpacked_bytes:
            raise LoadError("zip_bomb", limit=limits.max_unpacked_bytes // (1024 * 1024))
    elif path.stat().st_size == 0:
        raise LoadError("empty_file")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            cells = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True)
            if any(any(c not in (None, "") for c in row) for row in cells):
                return Source(path, "spreadsheet",
                              cells=[[_cell_text(c) for c in row] for row in cells])
    except LoadError:
        raise
    except Exception as error:   # calamine's errors are its own classes: not a crash
        raise LoadError("bad_spreadsheet", detail=str(error)[:200]) from error
    raise LoadError("no_sheet")


def open_table(path: Path, file_format: str, limits: Limits) -> Source:
    if file_format in SPREADSHEETS:
        return open_spreadsheet(path, limits)
    return open_text_table(path, tab_separated=file_format == "tsv")


def _clean_name(name: str) -> str:
    # The DataStore refuses names starting with "_" or holding a double quote.
    return name.replace('"', "").replace("\x00", "").strip().lstrip("_").strip()


def _cut(name: str) -> str:
    encoded = name.encode("utf-8")[:MAX_NAME_BYTES]
    return encoded.decode("utf-8", errors="ignore").rstrip()


def column_names(header: list[str], limits: Limits) -> tuple[list[str], list[dict]]:
    """Names the DataStore accepts, and a warning for each one changed."""
    while header and not header[-1].strip():
        header = header[:-1]   # trailing separators
    if len(header) > limits.max_columns:
        raise LoadError("too_many_columns", found=len(header), limit=limits.max_columns)
    names: list[str] = []
    warnings: list[dict] = []
    taken: set[str] = set()
    for position, original in enumerate(header, start=1):
        name = _clean_name(original)
        if not name:
            name = f"colonne_{position}"
            warnings.append({"code": "renamed_empty", "params": {"position": position,
                                                                  "name": name}})
        elif _cut(name) != name:
            name = _cut(name)
            warnings.append({"code": "renamed_long", "params": {"original": original[:80],
                                                                 "name": name}})
        if name.lower() in taken:
            base, suffix = name, 2
            while f"{base}_{suffix}".lower() in taken:
                suffix += 1
            name = _cut(f"{base}_{suffix}")
            warnings.append({"code": "renamed_duplicate", "params": {
                "original": original, "position": position, "name": name}})
        taken.add(name.lower())
        names.append(name)
    return names, warnings

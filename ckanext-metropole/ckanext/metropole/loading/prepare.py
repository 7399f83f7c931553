"""From a readable table to a typed CSV file that PostgreSQL's COPY reads,
and the DataStore fields that describe it.

Everything is read and checked before the DataStore is touched: a file with
a ragged line or a value that does not fit its column's type stops here and
the published table stays as it was. Two streaming passes over the file (one
to decide the types, one to convert), so memory does not grow with the
number of rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import french_types
from .messages import LoadError
from .reading import Limits, Source, column_names

_HTML = re.compile(r"<[a-zA-Z!/][^>]*>")
# Progress is reported at most every this many rows.
PROGRESS_EVERY = 20_000
Progress = Callable[[str, int, int], None]


@dataclass
class Prepared:
    fields: list[dict[str, Any]]
    path: Path
    rows: int
    warnings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Shape:
    names: list[str]
    rows: int
    guesses: list[french_types.ColumnGuess]
    html_cells: int
    short_rows: int
    warnings: list[dict[str, Any]]


def _data_rows(source: Source, width: int):
    """(line, cells of exactly ``width``) for every non-empty data line."""
    rows = source.rows()
    next(rows, None)   # the header
    for line, cells in rows:
        if len(cells) != width:
            if len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    yield line, None, len(cells)
                    continue
                cells = cells[:width]
            elif not any(c.strip() for c in cells):
                continue
            else:
                yield line, cells + [""] * (width - len(cells)), len(cells)
                continue
        elif not any(c.strip() for c in cells):
            continue
        yield line, cells, width


def _analyse(source: Source, limits: Limits, fixed: dict[int, str],
             progress: Progress) -> _Shape:
    first = next(source.rows(), None)
    if first is None or not any(c.strip() for c in first[1]):
        raise LoadError("empty_file")
    names, warnings = column_names(first[1], limits)
    width = len(names)
    guesses = [french_types.ColumnGuess(name) for name in names]
    guessed = [i for i in range(width) if i not in fixed]
    rows = html_cells = short_rows = ragged = 0
    first_ragged: dict[str, Any] = {}
    for line, cells, found in _data_rows(source, width):
        if cells is None:
            ragged += 1
            first_ragged = first_ragged or {"line": line, "found": found, "expected": width}
            continue
        short_rows += found < width
        rows += 1
        for i in guessed:
            guesses[i].add(cells[i])
        for value in cells:
            if "<" in value and _HTML.search(value):
                html_cells += 1
        if rows % PROGRESS_EVERY == 0:
            progress("analysing", rows, 0)
    if ragged:
        raise LoadError("ragged_rows", count=ragged, **first_ragged)
    if rows == 0:
        raise LoadError("header_only")
    return _Shape(names, rows, guesses, html_cells, short_rows, warnings)


def prepare(source: Source, output: Path, limits: Limits, *,
            overrides: dict[str, str], schema_types: dict[str, str],
            progress: Progress) -> Prepared:
    """Read, type and convert ``source`` into ``output`` (CSV for COPY).

    ``schema_types`` (a declared Table Schema's, by column name) win over the
    steward's ``overrides`` (the data dictionary's type), which win over guesses.
    """
    header = next(source.rows(), (0, []))[1]
    names_preview, _ = column_names(header, limits) if header else ([], [])
    decided = {**overrides, **schema_types}
    fixed = {i: decided[name] for i, name in enumerate(names_preview)
             if decided.get(name) in french_types.CONVERTERS}
    shape = _analyse(source, limits, fixed, progress)
    types = [fixed.get(i) or guess.result() for i, guess in enumerate(shape.guesses)]
    converters = [french_types.CONVERTERS[t] for t in types]
    typed = [i for i, t in enumerate(types) if t != french_types.TEXT]
    bad: dict[int, dict[str, Any]] = {}
    done = 0
    with open(output, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for line, cells, _found in _data_rows(source, len(types)):
            for i in typed:
                value = cells[i]
                if not value.strip():
                    cells[i] = ""
                    continue
                try:
                    cells[i] = converters[i](value)
                except french_types.ValueError_:
                    entry = bad.setdefault(i, {"line": line, "column": shape.names[i],
                                               "value": value[:80], "type": types[i],
                                               "count": 0})
                    entry["count"] += 1
            writer.writerow(cells)
            done += 1
            if done % PROGRESS_EVERY == 0:
                progress("converting", done, shape.rows)
    if bad:
        first = min(bad.values(), key=lambda entry: entry["line"])
        raise LoadError("bad_value", **first)
    warnings = list(shape.warnings)
    if schema_types:
        warnings.append({"code": "type_from_schema", "params": {}})
    if shape.html_cells:
        warnings.append({"code": "html_cells", "params": {"count": shape.html_cells}})
    if shape.short_rows:
        warnings.append({"code": "short_rows", "params": {"count": shape.short_rows}})
    fields = [{"id": name, "type": kind, "original": original}
              for name, kind, original in zip(shape.names, types, header[:len(types)],
                                              strict=True)]
    return Prepared(fields, output, shape.rows, warnings)

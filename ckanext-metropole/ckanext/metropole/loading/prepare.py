"""From a readable table to a CSV file of its raw text that PostgreSQL's
COPY reads into a staging table (``store``), where types are decided and
values converted set-based.

Python only reads: decoding, separator, header names, ragged lines, blank
lines, HTML in cells. A ragged file stops here, before the DataStore is
touched. One streaming pass (plus the header), so memory does not grow with
the number of rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .messages import LoadError
from .reading import Limits, Source, column_names

_HTML = re.compile(r"<[a-zA-Z!/][^>]*>")
# Progress is reported at most every this many rows.
PROGRESS_EVERY = 20_000
Progress = Callable[[str, int, int], None]


@dataclass
class Staged:
    """The file's cells as text in ``path`` (CSV: line number, then the cells)."""
    names: list[str]
    header: list[str]
    path: Path
    rows: int
    warnings: list[dict[str, Any]] = field(default_factory=list)


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


def stage(source: Source, output: Path, limits: Limits, progress: Progress) -> Staged:
    """Check the shape of ``source`` and write its cells to ``output``."""
    first = next(source.rows(), None)
    if first is None or not any(c.strip() for c in first[1]):
        raise LoadError("empty_file")
    header = first[1]
    names, warnings = column_names(header, limits)
    width = len(names)
    rows = html_cells = short_rows = ragged = 0
    first_ragged: dict[str, Any] = {}
    with open(output, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for line, cells, found in _data_rows(source, width):
            if cells is None:
                ragged += 1
                first_ragged = first_ragged or {"line": line, "found": found,
                                                "expected": width}
                continue
            short_rows += found < width
            rows += 1
            for value in cells:
                if "<" in value and _HTML.search(value):
                    html_cells += 1
            writer.writerow([line, *cells])
            if rows % PROGRESS_EVERY == 0:
                progress("analysing", rows, 0)
    if ragged:
        raise LoadError("ragged_rows", count=ragged, **first_ragged)
    if rows == 0:
        raise LoadError("header_only")
    if html_cells:
        warnings.append({"code": "html_cells", "params": {"count": html_cells}})
    if short_rows:
        warnings.append({"code": "short_rows", "params": {"count": short_rows}})
    return Staged(names, header[:width], output, rows, warnings)

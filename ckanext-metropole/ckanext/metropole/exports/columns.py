"""What kind of value each DataStore column holds, from its PostgreSQL type.

Every writer decides from this one mapping how to write a cell (a number, a
date, text to neutralise...), so all formats agree on what a column is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INTEGER, NUMBER, BOOLEAN, DATE, DATETIME, TIME, JSON, TEXT = (
    "integer",
    "number",
    "boolean",
    "date",
    "datetime",
    "time",
    "json",
    "text",
)

_KINDS = {
    "int": INTEGER,
    "int2": INTEGER,
    "int4": INTEGER,
    "int8": INTEGER,
    "integer": INTEGER,
    "smallint": INTEGER,
    "bigint": INTEGER,
    "float": NUMBER,
    "float4": NUMBER,
    "float8": NUMBER,
    "numeric": NUMBER,
    "real": NUMBER,
    "double precision": NUMBER,
    "bool": BOOLEAN,
    "boolean": BOOLEAN,
    "date": DATE,
    "timestamp": DATETIME,
    "timestamptz": DATETIME,
    "time": TIME,
    "timetz": TIME,
    "json": JSON,
    "jsonb": JSON,
}


@dataclass(frozen=True)
class Column:
    id: str
    type: str

    @property
    def kind(self) -> str:
        if self.type.startswith("_"):  # PostgreSQL arrays, e.g. _text
            return JSON
        return _KINDS.get(self.type, TEXT)


def columns_of(fields: list[dict[str, Any]]) -> list[Column]:
    return [Column(f["id"], f.get("type", "text")) for f in fields]

"""Collect bind parameters while SQL text is assembled.

Every value that comes from a request goes through ``Params.add`` and ends up
as a ``%(pN)s`` placeholder; only identifiers chosen by our own code (column
names, table names, configuration names) are ever written into SQL text.
"""

from __future__ import annotations

from typing import Any


class Params:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self._by_value: dict[tuple[type, Any], str] = {}

    def add(self, value: Any) -> str:
        # Identical scalar values share one placeholder: shorter SQL, and the
        # same literal lets the planner fold repeated tsquery expressions.
        key = None
        if isinstance(value, (str, int, float, bool)) or value is None:
            key = (type(value), value)
            if key in self._by_value:
                return self._by_value[key]
        name = f"p{len(self.values)}"
        self.values[name] = value
        placeholder = f"%({name})s"
        if key is not None:
            self._by_value[key] = placeholder
        return placeholder

"""Which communes a layer covers: its features intersected with commune shapes.

Per page, the page's geometries go into a small STRtree and each commune
shape not yet found (prepared once) queries it: ~100 prepared polygons
against ≤ 1,000 features, instead of 1,000 features against detailed commune
outlines. Memory stays one page; the result is a set of INSEE codes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.strtree import STRtree

from metropole_core import commune_registry


class CommuneMatcher:
    def __init__(self, shapes: dict[str, Any] | None = None) -> None:
        if shapes is None:
            shapes = _registry_shapes()
        self.codes = [code for code, shape in shapes.items() if shape is not None]
        self.shapes = np.array([shapes[c] for c in self.codes], dtype=object)
        shapely.prepare(self.shapes)
        self.found: set[str] = set()

    def add(self, geometries: list[Any]) -> None:
        pending = [i for i, code in enumerate(self.codes) if code not in self.found]
        if not pending or not geometries:
            return
        tree = STRtree(geometries)
        hits = tree.query(self.shapes[pending], predicate="intersects")
        for position in np.unique(hits[0]):
            self.found.add(self.codes[pending[int(position)]])


def _registry_shapes() -> dict[str, Any]:
    """Commune shapes loaded as organisations; none before the communes are
    loaded (then the source's configured communes apply). A database fault is
    not "no communes": it fails the harvest, with its message in the report."""
    return {code: c.shape for code, c in commune_registry.communes().items()}

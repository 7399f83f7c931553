"""Stream a layer's pages into a WGS84 GeoJSON file and a CSV of attributes.

Nothing holds the layer in memory: each page is reprojected (``geometry``)
and appended to files in a staging folder, its hash updated as bytes are
written. Only a complete layer becomes a snapshot; the harvester then
uploads the files (CKAN's uploader writes ``<file>~`` and renames it over
the previous one), so a failed run never touches the published snapshot.

The CSV needs its header before its rows, but the attribute names are known
only at the end of a stream: rows go to a JSON-lines spool first, and the CSV
is written from it when the layer is complete.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import shapely

from .geometry import Issues, Page, feature_id, fraction_inside, inside_mask, reproject

Observer = Callable[[list[Any]], None]   # sees each page's WGS84 geometries


@dataclass
class Snapshot:
    """A complete layer on disk, ready to publish."""

    directory: Path
    geojson: Path
    csv: Path
    geojson_hash: str
    csv_hash: str
    count: int
    bbox: tuple[float, float, float, float] | None
    issues: Issues
    warnings: list[str] = field(default_factory=list)

    def discard(self) -> None:
        self.discard_directory(self.directory)

    @staticmethod
    def discard_directory(directory: str | Path) -> None:
        shutil.rmtree(directory, ignore_errors=True)


class _HashingFile:
    def __init__(self, path: Path) -> None:
        self.file: BinaryIO = open(path, "wb")  # noqa: SIM115 (closed in close())
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.digest.update(data)

    def close(self) -> str:
        self.file.close()
        return "sha256:" + self.digest.hexdigest()


class SnapshotWriter:
    """Append pages, then :meth:`finish` (or :meth:`abort` on failure)."""

    def __init__(self, staging: Path, declared_bbox: tuple[float, float, float, float] | None,
                 observers: Iterable[Observer] = (), basename: str = "couche") -> None:
        staging.mkdir(parents=True, exist_ok=True)
        self.directory = Path(tempfile.mkdtemp(prefix="gis-", dir=staging))
        self.declared_bbox = declared_bbox
        self.observers = list(observers)
        self.issues = Issues()
        self.warnings: list[str] = []
        self.count = 0
        self.columns: dict[str, None] = {}       # ordered set of attribute names
        self.bounds = np.array([np.inf, np.inf, -np.inf, -np.inf])
        self.swap_override: bool | None = None
        self.geojson_path = self.directory / f"{basename}.geojson"
        self.csv_path = self.directory / f"{basename}.csv"
        self._geojson = _HashingFile(self.geojson_path)
        self._geojson.write(b'{"type":"FeatureCollection","features":[\n')
        self._spool = open(self.directory / "rows.jsonl", "wb")  # noqa: SIM115
        self._first_page = True

    def add(self, page: Page) -> None:
        features, geometries = reproject(page, self.issues, self.swap_override)
        if self._first_page and self.declared_bbox and features:
            features, geometries = self._check_axis_order(page, features, geometries)
        self._first_page = False
        if not features:
            return
        if self.declared_bbox:
            self._note_outside(features, geometries)
        present = [g for g in geometries if g is not None]
        if present:
            b = shapely.total_bounds(np.array(present, dtype=object))
            self.bounds = np.array([min(self.bounds[0], b[0]), min(self.bounds[1], b[1]),
                                    max(self.bounds[2], b[2]), max(self.bounds[3], b[3])])
            for observer in self.observers:
                observer(present)
        texts = shapely.to_geojson(np.array(geometries, dtype=object))
        out = []
        for feature, text in zip(features, texts, strict=True):
            properties = feature.get("properties") or {}
            fid = feature.get("id")
            head = {"type": "Feature"} if fid is None else {"type": "Feature", "id": fid}
            body = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
            out.append(f'{body},"geometry":{text or "null"},"properties":'
                       f'{_dumps(properties)}}}')
            for key in properties:
                if key not in self.columns:
                    self.columns[key] = None
            self._spool.write(_dumps([fid, properties]).encode() + b"\n")
        separator = b",\n" if self.count else b""
        self._geojson.write(separator + ",\n".join(out).encode())
        self.count += len(features)

    def _check_axis_order(self, page: Page, features: list, geometries: list
                          ) -> tuple[list, list]:
        """A server that lies about axis order (GeoServer WFS 2.0 answering
        [y, x], mregions #35) shows as a first page outside the declared
        extent that the other axis order puts inside: use that order for the
        whole layer, and say so."""
        assert self.declared_bbox is not None
        if fraction_inside(geometries, self.declared_bbox) >= 0.5:
            return features, geometries
        from .crs import axis_swap

        other = not axis_swap(page.crs)
        trial = Issues()
        swapped, swapped_geometries = reproject(page, trial, other)
        if swapped and fraction_inside(swapped_geometries, self.declared_bbox) >= 0.9:
            self.swap_override = other
            self.issues = trial     # the first page's issues, in the order kept
            self.warnings.append(f"coordinates came in the other axis order than "
                                 f"{page.crs.name} says; swapped for this layer")
            return swapped, swapped_geometries
        return features, geometries

    def _note_outside(self, features: list, geometries: list) -> None:
        assert self.declared_bbox is not None
        positions = [i for i, g in enumerate(geometries) if g is not None]
        inside = inside_mask([geometries[i] for i in positions], self.declared_bbox)
        for position in np.flatnonzero(~inside):
            self.issues.note("outside_extent", feature_id(features[positions[position]]),
                             "outside the layer's declared extent (kept)")

    def finish(self) -> Snapshot:
        self._geojson.write(b"\n]}\n")
        geojson_hash = self._geojson.close()
        self._spool.close()
        csv_hash = self._write_csv()
        (self.directory / "rows.jsonl").unlink()
        bbox = tuple(float(v) for v in self.bounds) if self.count and \
            np.isfinite(self.bounds).all() else None
        return Snapshot(self.directory, self.geojson_path, self.csv_path, geojson_hash,
                        csv_hash, self.count, bbox, self.issues, self.warnings)  # type: ignore[arg-type]

    def abort(self) -> None:
        for handle in (self._geojson.file, self._spool):
            handle.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _write_csv(self) -> str:
        columns = list(self.columns)
        header = ["id"] + [c if c != "id" else "id_attribut" for c in columns]
        digest = hashlib.sha256()
        with open(self.csv_path, "w", newline="", encoding="utf-8") as out, \
                open(self.directory / "rows.jsonl", "rb") as spool:
            writer = csv.writer(out)
            writer.writerow(header)
            for line in spool:
                fid, properties = json.loads(line)
                writer.writerow([_cell(fid)] + [_cell(properties.get(c)) for c in columns])
        with open(self.csv_path, "rb") as written:
            for chunk in iter(lambda: written.read(1 << 20), b""):
                digest.update(chunk)
        return "sha256:" + digest.hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return _dumps(value)
    return str(value)

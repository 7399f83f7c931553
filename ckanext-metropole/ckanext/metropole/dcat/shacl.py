"""SHACL validation of a DCAT graph against the DCAT-AP 3 shapes (pyshacl).

The shapes ship with the extension (``shapes/``; source noted there) so that
validating a live catalogue needs no network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import RDF

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES = Path(__file__).parent / "shapes" / "dcat-ap_3_shacl_shapes.ttl"


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.focus} {self.path}: {self.message}"


def load_shapes(path: Path = SHAPES) -> Graph:
    return Graph().parse(path, format="turtle")


def validate(data: Graph, shapes: Graph | None = None) -> list[Violation]:
    """Every SHACL result (violations, warnings) of the graph; empty: valid."""
    from pyshacl import validate as pyshacl_validate

    _, results, _ = pyshacl_validate(data, shacl_graph=shapes or load_shapes(),
                                     inference="none", advanced=True, allow_warnings=True)
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = str(results.value(result, SH.resultSeverity) or "").rsplit("#", 1)[-1]
        found.append(Violation(
            focus=str(results.value(result, SH.focusNode)),
            path=str(results.value(result, SH.resultPath) or ""),
            message=str(results.value(result, SH.resultMessage) or ""),
            severity=severity,
        ))
    return sorted(found, key=lambda v: (v.severity, v.path, v.focus))


def violations_only(results: list[Violation]) -> list[Violation]:
    return [r for r in results if r.severity == "Violation"]

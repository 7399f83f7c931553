"""Validate a table, or records pushed through the API, against a Table
Schema: frictionless does the schema's types and constraints, ``checks.py``
the schema's custom checks; the outcome is a list of problems (row, column,
value, what) that ``messages.py`` turns into French or English sentences at
display time."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from typing import Any

from . import checks

# What the resource page shows (and the database keeps) at most.
MAX_PROBLEMS = 100
# A cell value is shown cut to this length.
MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class Problem:
    code: str                      # frictionless error type, or ours
    row: int | None = None         # 1 = the header row, as in a spreadsheet
    column: str | None = None
    value: str | None = None
    constraint: str | None = None  # for constraint errors: which one
    detail: str = ""               # frictionless' note, for the fix's hint
    example: str | None = None     # the schema's example for the column

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Problem:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k in data})


@dataclass
class Outcome:
    valid: bool
    problems: list[Problem] = field(default_factory=list)
    truncated: bool = False
    not_run: list[str] = field(default_factory=list)


def _cut(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def _constraint(note: str) -> str | None:
    # frictionless' note: 'constraint "pattern" is "…"'
    if note.startswith('constraint "'):
        return note.split('"', 2)[1]
    return None


def _problem(error: Any, examples: dict[str, str]) -> Problem:
    note = str(getattr(error, "note", "") or "")
    column = getattr(error, "field_name", None) or getattr(error, "label", None)
    return Problem(code=error.type, row=getattr(error, "row_number", None), column=column,
                   value=_cut(getattr(error, "cell", None)), constraint=_constraint(note),
                   detail=_cut(note) or "", example=examples.get(column or ""))


def _schema(descriptor: dict[str, Any]) -> Any:
    from frictionless import Schema

    return Schema.from_descriptor({k: v for k, v in descriptor.items() if k != "custom_checks"})


def _run(resource: Any, descriptor: dict[str, Any], limit: int) -> Outcome:
    from frictionless import Checklist

    custom, not_run = checks.from_schema(descriptor)
    report = resource.validate(checklist=Checklist(checks=custom), limit_errors=limit + 1)
    examples = {f["name"]: _cut(f["example"]) for f in descriptor["fields"]
                if isinstance(f, dict) and f.get("example") not in (None, "")}
    found = [_problem(e, examples) for task in report.tasks for e in task.errors]
    found += [_problem(e, examples) for e in report.errors]
    return Outcome(valid=report.valid, problems=found[:limit], truncated=len(found) > limit,
                   not_run=not_run)


def validate_table(data: bytes, descriptor: dict[str, Any], file_format: str = "csv",
                   limit: int = MAX_PROBLEMS) -> Outcome:
    """A whole file (CSV, XLSX…) against the schema; columns matched by name."""
    from frictionless import Detector, Resource

    resource = Resource(data, format=file_format.lower() or "csv", schema=_schema(descriptor),
                        detector=Detector(schema_sync=True))
    return _run(resource, descriptor, limit)


def validate_records(records: list[dict[str, Any]], descriptor: dict[str, Any],
                     limit: int = 10_000) -> dict[int, list[Problem]]:
    """Records (dicts) pushed through the API: index -> its problems; empty
    when every record passes. Fields the schema lacks are problems too."""
    from frictionless import Resource

    names = [f["name"] for f in descriptor["fields"]]
    known = set(names)
    by_record: dict[int, list[Problem]] = {}
    for index, record in enumerate(records):
        for name in record:
            if name not in known:
                by_record.setdefault(index, []).append(
                    Problem(code="unknown-field", row=index, column=str(name),
                            value=_cut(record[name])))
    rows = [names] + [[record.get(name) for name in names] for record in records]
    outcome = _run(Resource(data=rows, schema=_schema(descriptor)), descriptor, limit)
    for problem in outcome.problems:
        if problem.row is None:
            continue
        index = problem.row - 2  # row 1 is the header
        by_record.setdefault(index, []).append(
            dataclasses.replace(problem, row=index))
    return dict(sorted(by_record.items()))

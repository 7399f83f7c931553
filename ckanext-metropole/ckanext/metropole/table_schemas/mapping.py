"""A resource's stored mapping: incoming field -> schema field, with simple
conversions, so that a third-party system pushes its own field names.

Stored as JSON in the resource field ``table_schema_mapping``::

    {"Numero SIRET": "num_siret",
     "Tarif 1h": {"field": "tarif_1h", "convert": "decimal_comma"},
     "Mise en service": {"field": "date_mise_en_service", "convert": "date:%d/%m/%Y"}}

Conversions: ``decimal_comma`` (``1 234,56`` -> ``1234.56``), ``date:<format>``
and ``datetime:<format>`` (strptime formats -> ISO 8601), ``boolean_fr``
(oui/non, vrai/faux, 1/0 -> true/false). A value a conversion cannot read is
passed on unchanged, so the schema's check reports it with the row and field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

MAX_RULES = 1000
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_TRUE = {"oui", "vrai", "o", "1", "true"}
_FALSE = {"non", "faux", "n", "0", "false"}


@dataclass(frozen=True)
class Rule:
    target: str
    convert: str = ""

    def apply(self, value: Any) -> Any:
        if not self.convert or value is None or not isinstance(value, str):
            return value
        try:
            return _convert(self.convert, value)
        except ValueError:
            return value


def _convert(convert: str, value: str) -> Any:
    text = value.strip()
    if convert == "decimal_comma":
        return _SPACES.sub("", text).replace(",", ".")
    if convert == "boolean_fr":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(value)
    kind, _, pattern = convert.partition(":")
    parsed = dt.datetime.strptime(text, pattern)
    return parsed.date().isoformat() if kind == "date" else parsed.isoformat()


def _check_conversion(convert: str) -> None:
    if convert in ("", "decimal_comma", "boolean_fr"):
        return
    kind, _, pattern = convert.partition(":")
    if kind in ("date", "datetime") and pattern and "%" in pattern:
        return
    raise ValueError(f"conversion inconnue « {convert} » (unknown conversion): decimal_comma, "
                     "boolean_fr, date:<format>, datetime:<format>")


@dataclass(frozen=True)
class Mapping:
    rules: dict[str, Rule]

    def as_json(self) -> dict[str, Any]:
        return {name: (rule.target if not rule.convert
                       else {"field": rule.target, "convert": rule.convert})
                for name, rule in self.rules.items()}

    def apply(self, record: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in record.items():
            rule = self.rules.get(name)
            if rule is None:
                out[name] = value
            else:
                out[rule.target] = rule.apply(value)
        return out


EMPTY = Mapping({})


def parse(value: Any) -> Mapping:
    """A mapping from its JSON form; ValueError says what is wrong."""
    if not isinstance(value, dict):
        raise ValueError("un objet JSON est attendu (a JSON object is expected)")
    if len(value) > MAX_RULES:
        raise ValueError(f"plus de {MAX_RULES} règles (too many rules)")
    rules: dict[str, Rule] = {}
    for name, target in value.items():
        if isinstance(target, str):
            rule = Rule(target)
        elif isinstance(target, dict) and isinstance(target.get("field"), str):
            convert = target.get("convert") or ""
            if not isinstance(convert, str):
                raise ValueError(f"« {name} » : conversion invalide (invalid conversion)")
            _check_conversion(convert)
            rule = Rule(target["field"], convert)
        else:
            raise ValueError(f"« {name} » : un nom de champ du schéma est attendu "
                             "(a schema field name is expected)")
        if not rule.target:
            raise ValueError(f"« {name} » : champ cible vide (empty target field)")
        rules[str(name)] = rule
    return Mapping(rules)

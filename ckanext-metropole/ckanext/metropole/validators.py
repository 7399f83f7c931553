"""Field validators of the metropolitan schemas (named ``metropole_*`` in the
scheming YAML files). Messages are English msgids, translated (French first)."""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as toolkit
from ckan.lib.navl.dictization_functions import Missing
from shapely import make_valid
from shapely.errors import ShapelyError
from shapely.geometry import mapping, shape

from metropole_core import commune_registry as registry
from metropole_core import vocabularies

from .charter.rules import CharterValues, check_charter

_ = toolkit._
Invalid = toolkit.Invalid

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
SIREN = re.compile(r"^\d{9}$")
ISO_DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                return [value]
        else:
            return [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        # A wrong type (number, object) is reported by the field's own
        # validators; deriving from it must not crash first.
        return []
    return [str(v) for v in value]


def insee_code(value: Any, context: dict) -> Any:
    if value and not INSEE_CODE.match(str(value)):
        raise Invalid(_("Invalid INSEE code: five characters, digits (2A/2B for Corsica)."))
    return value


def siren(value: Any, context: dict) -> Any:
    if value and not SIREN.match(str(value)):
        raise Invalid(_("Invalid SIREN: nine digits."))
    return value


def communes_field(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """INSEE codes of communes known to the portal, or the whole metropole."""
    value = data.get(key)
    if value is None or isinstance(value, Missing):
        return
    codes = _as_list(value)
    known = registry.communes()
    for code in codes:
        if code == registry.WHOLE_METROPOLE:
            continue
        if not INSEE_CODE.match(code):
            errors[key].append(_("Invalid INSEE code: {code}").format(code=code))
        elif code not in known:
            errors[key].append(_("Unknown commune for this portal: {code}").format(code=code))
    data[key] = codes


def derive_eu_themes(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """DCAT's ``theme`` (EU data-theme URIs), from ``themes``.

    navl validates ``theme`` before ``themes`` (keys are sorted), so this reads
    the submitted slugs; unknown ones are reported on ``themes`` itself.
    """
    known = vocabularies.themes()
    raw = data.get(("themes",))
    slugs = [] if isinstance(raw, Missing) else [s for s in _as_list(raw) if s in known]
    data[key] = sorted({known[s].eu_uri for s in slugs})


def license_field(value: Any, context: dict) -> Any:
    if value not in vocabularies.licences():
        raise Invalid(_("Unknown licence: {licence}").format(licence=value))
    return value


def geojson(value: Any, context: dict) -> Any:
    if not value:
        return value
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
        parsed = shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError, ShapelyError) as error:
        raise Invalid(_("Invalid GeoJSON geometry: {error}").format(error=error)) from None
    if parsed.is_empty:
        raise Invalid(_("Invalid GeoJSON geometry: it is empty."))
    minx, miny, maxx, maxy = parsed.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise Invalid(_("Invalid GeoJSON geometry: coordinates must be longitude, latitude "
                        "in WGS84."))
    if not parsed.is_valid:
        # A self-touching outline (common after rounding or simplification)
        # is repaired rather than refused: the user loses nothing.
        return json.dumps(mapping(make_valid(parsed)))
    return json.dumps(geometry) if not isinstance(value, str) else value


def iso_duration(value: Any, context: dict) -> Any:
    if value and not ISO_DURATION.match(str(value)):
        raise Invalid(_("Invalid duration: use ISO 8601, e.g. PT1H or P1D."))
    return value


def iso_datetime(value: Any, context: dict) -> Any:
    if not value:
        return value
    from dateutil.parser import isoparse

    try:
        isoparse(str(value))
    except ValueError:
        raise Invalid(_("Invalid date: use ISO 8601, e.g. 2026-11-22T10:00:00+01:00.")) from None
    return value


def _flat_value(data: dict, name: str) -> Any:
    """A field's value in navl's flattened data, whether still top-level or
    already moved to the extras by scheming."""
    if (name,) in data:
        return data[(name,)]
    index = 0
    while ("extras", index, "key") in data:
        if data[("extras", index, "key")] == name:
            return data.get(("extras", index, "value"))
        index += 1
    return None


def temporal_coverage(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """Each coverage period must end after it starts."""
    from dateutil.parser import isoparse

    index = 0
    while ("temporal_coverage", index, "start") in data or \
            ("temporal_coverage", index, "end") in data:
        start = data.get(("temporal_coverage", index, "start"))
        end = data.get(("temporal_coverage", index, "end"))
        if start and end and not isinstance(start, Missing) and not isinstance(end, Missing):
            try:
                if isoparse(str(end)) < isoparse(str(start)):
                    errors.setdefault(("temporal_coverage", index, "end"), []).append(
                        _("The end of the period is before its start."))
            except ValueError:
                pass  # the dates' own validator reports them
        index += 1


def charter(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """The data charter's rules, reported on the field to change."""
    if any(errors.get(k) for k in errors if k and k[0] in (
            "access_level", "license_id", "personal_data", "hosting_location")):
        return  # a field is already invalid on its own; its message comes first
    owner = _flat_value(data, "owner_org")
    org_kind = ""
    if owner:
        import ckan.model as model

        group = model.Group.get(owner)
        if group is not None:
            org_kind = (group.extras or {}).get("org_kind", "")
    values = {name: _flat_value(data, name) for name in (
        "access_level", "license_id", "personal_data", "legal_basis", "convention_ref",
        "hosting_location", "private", "private_reason")}
    values["owner_org_kind"] = org_kind
    for field, messages in check_charter(CharterValues.from_mapping(values), _).items():
        errors.setdefault((field,), []).extend(messages)


def get_validators() -> dict[str, Any]:
    return {
        "metropole_insee_code": insee_code,
        "metropole_siren": siren,
        "metropole_communes": communes_field,
        "metropole_derive_eu_themes": derive_eu_themes,
        "metropole_license": license_field,
        "metropole_geojson": geojson,
        "metropole_iso_duration": iso_duration,
        "metropole_iso_datetime": iso_datetime,
        "metropole_temporal_coverage": temporal_coverage,
        "metropole_charter": charter,
    }

"""The data-charter rules (``charte de la donnée``), as one pure function.

Each rule names the field the user must change, so the form shows the
message next to it. Messages are English msgids translated by the
extension's catalogue (French first). The rules and their reasons are listed
in the README ("Data charter").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from metropole_core.vocabularies import open_licence_ids

RESTRICTED_ACCESS = {"partners", "internal"}


@dataclass(frozen=True)
class CharterValues:
    """The fields the charter looks at, already validated one by one."""

    access_level: str
    license_id: str
    personal_data: str
    legal_basis: str
    convention_ref: str
    hosting_location: str
    private: bool
    private_reason: str
    owner_org_kind: str  # commune, epci, partner, public_body, or ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> CharterValues:
        def text(name: str, default: str = "") -> str:
            value = values.get(name)
            return str(value).strip() if value not in (None, "") else default

        private = values.get("private")
        if isinstance(private, str):
            private = private.strip().lower() in {"true", "1", "yes", "on"}
        return cls(
            access_level=text("access_level", "open"),
            license_id=text("license_id"),
            personal_data=text("personal_data", "none"),
            legal_basis=text("legal_basis"),
            convention_ref=text("convention_ref"),
            hosting_location=text("hosting_location", "france"),
            private=bool(private),
            private_reason=text("private_reason"),
            owner_org_kind=text("owner_org_kind"),
        )


OpenLicences = frozenset[str]


@dataclass(frozen=True)
class Rule:
    """One rule of the charter: when ``broken``, ``message`` (an English
    msgid) is reported on ``field``, the field the user must change."""

    field: str
    message: str
    broken: Callable[[CharterValues, OpenLicences], bool]


# The charter, one declaration per rule, in the order the form reports them.
# (`make i18n-extract` finds the messages through the `Rule:2` keyword.)
RULES: tuple[Rule, ...] = (
    Rule("license_id", "Open data must be published under an open licence "
                       "(Etalab Open Licence 2.0, ODbL, CC-BY 4.0 or CC0).",
         lambda v, open_: v.access_level == "open" and v.license_id not in open_),
    Rule("license_id", "Data restricted to partners or internal use cannot carry an "
                       "open licence: choose the partner convention.",
         lambda v, open_: v.access_level in RESTRICTED_ACCESS and v.license_id in open_),
    Rule("convention_ref", "Data shared with partners requires the reference of the "
                           "partner convention.",
         lambda v, _: v.access_level == "partners" and not v.convention_ref),
    Rule("convention_ref", "A partner organisation publishes under a convention: give its "
                           "reference.",
         lambda v, _: v.owner_org_kind == "partner" and not v.convention_ref),
    Rule("private", "Data restricted to partners or internal use must be private.",
         lambda v, _: v.access_level in RESTRICTED_ACCESS and not v.private),
    Rule("personal_data", "Personal data cannot be open: anonymise it, or restrict access.",
         lambda v, _: v.personal_data == "personal" and v.access_level == "open"),
    Rule("legal_basis", "Personal data requires its legal basis (GDPR article 6).",
         lambda v, _: v.personal_data == "personal" and not v.legal_basis),
    Rule("hosting_location", "Personal data must be hosted in the European Union.",
         lambda v, _: v.personal_data == "personal" and v.hosting_location == "outside_eu"),
    Rule("private_reason", "An open dataset kept private needs a reason (e.g. under "
                           "review, planned publication date).",
         lambda v, _: v.access_level == "open" and v.private and not v.private_reason),
)


def check_charter(v: CharterValues, _: Callable[[str], str] = lambda s: s
                  ) -> dict[str, list[str]]:
    """Every broken rule, as {field: [message]}; empty when the charter holds."""
    errors: dict[str, list[str]] = {}
    open_licences = frozenset(open_licence_ids())
    for rule in RULES:
        if rule.broken(v, open_licences):
            errors.setdefault(rule.field, []).append(_(rule.message))
    return errors

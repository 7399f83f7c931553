"""Every field a data steward may meet has help text in French and English,
and the forms show it.

The fields come from the schemas as ckanext-scheming loads them (the files
of `scheming.dataset_schemas` and `scheming.organization_schemas`, presets
expanded), so a field added tomorrow without help text fails here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import html as lxml_html

from ..helpers import api, dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue")
LANGUAGES = ("fr", "en")


def _fields(schema: dict, key: str) -> Iterator[tuple[str, dict]]:
    for field in schema.get(key) or []:
        yield field["field_name"], field
        for subfield in field.get("repeating_subfields") or []:
            yield f"{field['field_name']}.{subfield['field_name']}", subfield


def _schemas() -> dict[str, tuple[dict, str]]:
    """(schema, field key) by a readable name: every dataset type's dataset
    and resource fields, every organisation type's fields."""
    from ckanext.scheming.helpers import scheming_dataset_schemas, scheming_organization_schemas

    found = {}
    for dataset_type, schema in scheming_dataset_schemas().items():
        found[f"{dataset_type} (dataset)"] = (schema, "dataset_fields")
        found[f"{dataset_type} (resource)"] = (schema, "resource_fields")
    for organization_type, schema in scheming_organization_schemas().items():
        found[f"{organization_type} (organisation)"] = (schema, "fields")
    return found


def test_every_field_of_every_schema_has_french_and_english_help_text():
    schemas = _schemas()
    expected = {"dataset (dataset)", "dataset (resource)", "organization (organisation)"}
    assert expected <= set(schemas)
    missing = []
    for name, (schema, key) in schemas.items():
        fields = list(_fields(schema, key))
        assert fields, name
        for field_name, field in fields:
            help_text = field.get("help_text")
            texts = help_text if isinstance(help_text, dict) else {}
            missing += [f"{name} {field_name} [{language}]" for language in LANGUAGES
                        if not str(texts.get(language) or "").strip()]
    assert missing == []


def _shown_help_texts(app, path: str, token: str) -> str:
    response = app.get(path, headers={"Authorization": token})
    assert response.status_code == 200, path
    tree = lxml_html.fromstring(response.get_data(as_text=True))
    return "\n".join(" ".join(block.text_content().split())
                     for block in tree.xpath(
                         "//form//*[contains(concat(' ', @class, ' '), ' info-block ')]"))


def _expected(schema: dict, key: str, language: str) -> dict[str, str]:
    """The help text of each field the form has (form_snippet: null hides
    one); a field without any expects a text no form shows."""
    return {field_name: " ".join(str((field.get("help_text") or {}).get(language)
                                     or "<no help text>").split())
            for field_name, field in _fields(schema, key)
            if field.get("form_snippet", "") is not None}


def test_the_forms_show_every_fields_help_text_in_the_users_language(app, admin_with_token):
    dataset = api("package_create", **dataset_fields())
    schemas = _schemas()
    forms = {"/dataset/new": schemas["dataset (dataset)"],
             f"/dataset/{dataset['name']}/resource/new": schemas["dataset (resource)"],
             "/organization/new": schemas["organization (organisation)"]}
    not_shown = {}
    for path, (schema, key) in forms.items():
        for language in LANGUAGES:
            prefix = "" if language == "fr" else f"/{language}"
            shown = _shown_help_texts(app, prefix + path, admin_with_token["token"])
            absent = [name for name, text in _expected(schema, key, language).items()
                      if text not in shown]
            if absent:
                not_shown[f"{prefix}{path}"] = absent
    assert not_shown == {}

"""Validation against a declared Table Schema, as a job of the real worker,
and its report on the resource page: row, column, value, what is wrong and
how to fix it, French first, English under /en/, escaped and capped."""

from __future__ import annotations

import pytest

from ckanext.metropole.table_schemas import store, validation

from ..helpers import api
from .conftest import PARKING, run_jobs, sample

pytestmark = pytest.mark.usefixtures("catalogue", "clean_redis")


def test_an_invalid_parking_file_gets_a_french_report_on_its_page(pages, uploaded):
    resource = uploaded(sample("stationnement/exemple-invalide.csv"), table_schema=PARKING)
    assert store.get(resource["id"]).status == store.PENDING
    run_jobs()
    check = store.get(resource["id"])
    assert check.status == store.INVALID
    assert {(p["row"], p["column"]) for p in check.problems} == {
        (2, "id"), (2, "tarif_pmr"), (2, "num_siret")}

    page = pages.get(f"/dataset/{resource['package_id']}/resource/{resource['id']}").body
    assert "Vérification par rapport au schéma de données" in page
    assert "Le fichier n’est pas conforme au schéma" in page
    assert "P-001" in page and "tarif_pmr" in page and "80295478500028" in page
    assert "Numéro SIRET invalide." in page
    assert "Utilisez l’une des valeurs" in page
    english = pages.get(f"/en/dataset/{resource['package_id']}/resource/{resource['id']}").body
    assert "Invalid SIRET number." in english and "How to fix it" in english


def test_a_valid_file_passes_and_a_new_upload_is_checked_again(pages, uploaded, upload_file):
    resource = uploaded(sample("stationnement/exemple-valide.csv"), table_schema=PARKING)
    run_jobs()
    assert store.get(resource["id"]).status == store.VALID
    page = pages.get(f"/dataset/{resource['package_id']}/resource/{resource['id']}").body
    assert "Le fichier est conforme au schéma." in page

    # Nothing changed: no new job. A new file: checked again.
    api("package_patch", id=resource["package_id"], notes="Autre description.")
    assert store.get(resource["id"]).status == store.VALID
    upload_file(sample("stationnement/exemple-invalide.csv"), action="resource_patch",
                id=resource["id"])
    assert store.get(resource["id"]).status == store.PENDING
    run_jobs()
    assert store.get(resource["id"]).status == store.INVALID


def test_script_in_the_data_never_reaches_the_page_and_the_report_is_capped(pages, uploaded):
    header = sample("stationnement/exemple-valide.csv").split(b"\n")[0]
    row = sample("stationnement/exemple-valide.csv").split(b"\n")[1]
    evil = row.replace(b"75114-P-001", b"<script>alert(1)</script>", 1)
    content = header + b"\n" + b"\n".join([evil] * (validation.MAX_PROBLEMS + 20)) + b"\n"
    resource = uploaded(content, table_schema=PARKING)
    run_jobs()
    check = store.get(resource["id"])
    assert check.status == store.INVALID and check.truncated
    assert len(check.problems) == validation.MAX_PROBLEMS
    page = pages.get(f"/dataset/{resource['package_id']}/resource/{resource['id']}").body
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f"les {validation.MAX_PROBLEMS} premiers problèmes" in page


def test_a_file_that_is_not_a_table_gets_a_report_not_a_crash(pages, uploaded):
    resource = uploaded(b"\x00\x01\x02PK\x03\x04" * 100, table_schema=PARKING)
    run_jobs()
    check = store.get(resource["id"])
    assert check.status in (store.INVALID, store.FAILED)
    page = pages.get(f"/dataset/{resource['package_id']}/resource/{resource['id']}")
    assert page.status_code == 200

"""The OWASP formula-injection rule, cell by cell."""

from __future__ import annotations

import pytest

from ckanext.metropole.exports.neutralise import neutralise


@pytest.fixture(autouse=True)
def load_portal_plugins():
    """No CKAN action nor database here: the portal's plugins are not loaded
    (the project-wide autouse fixture costs seconds a test)."""


@pytest.mark.parametrize(
    "text", ["=1+1", "+A1", "-", "-A1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")', "=-1"]
)
def test_formula_looking_text_becomes_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    [
        "-12",
        "+3,5",
        "-1.5e3",
        "-0,75",
        "-1 234,5",
        "+33 6 12 34 56 78",
        "Marseille",
        "",
        "a=b",
        "'=déjà",
    ],
)
def test_numbers_and_ordinary_text_are_kept(text):
    assert neutralise(text) == text

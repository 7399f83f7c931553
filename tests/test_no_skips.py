"""CI must run every test: a skip hides a failure as surely as a deleted
test. A condition a test needs is a fixture that fails loudly when unmet
(e.g. search_index_available in tests/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
# Built from parts so this file does not match itself.
SKIP = re.compile(r"\b(" + "|".join(["skip" + "if", r"mark\.skip", r"pytest\.skip",
                                     "importor" + "skip", r"unittest\.skip"]) + r")\b")


@pytest.fixture(autouse=True)
def load_portal_plugins():
    """Reads files only: the project-wide plugin loading is skipped."""


def test_no_test_is_skipped_conditionally():
    found = [f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
             for path in sorted(TESTS.rglob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if SKIP.search(line)]
    assert found == []

"""Fixtures of the catalogue tests (helpers in tests/helpers.py)."""

from __future__ import annotations

import pytest
from ckan.tests import factories


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()

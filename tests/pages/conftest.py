"""Fixtures of the page tests."""

from __future__ import annotations

import pytest
from ckan.tests import factories


@pytest.fixture
def admin_with_token() -> dict:
    """A sysadmin and an API token: CKAN's test client logs in by header."""
    return factories.SysadminWithToken()

"""Project-wide test settings.

Tests run with CKAN's own pytest plugin (`pytest --ckan-ini=test.ini`, shipped
in the ckan package as ckan.tests.pytest_ckan), against the test profile's
PostgreSQL and Redis that `make test` starts (see Makefile).
"""

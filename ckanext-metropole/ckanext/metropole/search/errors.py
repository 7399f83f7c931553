"""Errors raised while turning a Solr request into SQL.

The connection converts them into ``pysolr.SolrError`` with the wording
CKAN's ``PackageSearchQuery.run`` looks for, so CKAN maps them to the same
``SearchQueryError`` (400) / ``SearchError`` (409) it would raise for Solr.
Messages only ever quote the user's own input, never database text.
"""

from __future__ import annotations


class QuerySyntaxError(ValueError):
    """Input Solr would reject with ``org.apache.solr.search.SyntaxError``."""


class BadRequest(ValueError):
    """Other 400s from Solr (bad field type use, invalid number or date)."""


class SortError(ValueError):
    """A sort spec Solr rejects: CKAN maps its wording to SearchQueryError."""

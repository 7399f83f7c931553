"""Declared Table Schemas (issue 14, parts 3 and 4): a catalogue of national
schemas shipped as data, a resource's declaration, validation as a job with a
French report, the conformity badge, facet and DCAT statement, and the
ingestion API's record-by-record checks (``plugin.py`` wires them)."""

"""Exports of DataStore tables (CSV, CSV for Excel in France, JSON, XLSX,
Parquet, GeoJSON), filtered like ``datastore_search``, and the map preview of
tables with coordinates. See plugin.py.
"""

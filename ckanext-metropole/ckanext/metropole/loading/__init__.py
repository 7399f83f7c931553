"""Automatic loading of tabular resources into the DataStore (plugin
``metropole_loading``, see plugin.py)."""

"""The community around the data: reuses ("Réutilisations"), innovation
calls and data requests. Its own tables (``model.py``, alembic migrations
under ``../migration/metropole_community``: CKAN looks for a plugin's
migrations in its extension's top folder), actions, pages and signals."""

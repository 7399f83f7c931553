"""Alembic environment of the metropole_notifications plugin (ckanext/metropole/alembic_env.py)."""

from ckanext.metropole.alembic_env import run

run(__file__)

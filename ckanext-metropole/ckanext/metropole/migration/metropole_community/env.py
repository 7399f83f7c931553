"""Alembic environment of the metropole_community plugin (ckanext/metropole/alembic_env.py)."""

from ckanext.metropole.alembic_env import run

run(__file__)

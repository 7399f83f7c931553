"""The DataStore's read-only role, as the runtime sets it up, really is read-only."""

from __future__ import annotations

import psycopg2
import pytest
from ckan.plugins.toolkit import config


@pytest.fixture
def write_table():
    with psycopg2.connect(config["ckan.datastore.write_url"]) as conn, conn.cursor() as cur:
        cur.execute('DROP TABLE IF EXISTS "ro_probe"; CREATE TABLE "ro_probe" (n int); '
                    'INSERT INTO "ro_probe" VALUES (1);')
    yield "ro_probe"
    with psycopg2.connect(config["ckan.datastore.write_url"]) as conn, conn.cursor() as cur:
        cur.execute('DROP TABLE IF EXISTS "ro_probe"')


def _read_cursor():
    conn = psycopg2.connect(config["ckan.datastore.read_url"])
    conn.autocommit = True
    return conn, conn.cursor()


def test_read_role_can_read_datastore_tables(write_table):
    conn, cur = _read_cursor()
    with conn:
        cur.execute(f'SELECT n FROM "{write_table}"')
        assert cur.fetchall() == [(1,)]


@pytest.mark.parametrize("statement", [
    'INSERT INTO "ro_probe" VALUES (2)',
    'UPDATE "ro_probe" SET n = 3',
    'DELETE FROM "ro_probe"',
    'DROP TABLE "ro_probe"',
    'CREATE TABLE "sneaky" (n int)',
    'TRUNCATE "ro_probe"',
])
def test_read_role_cannot_change_anything(write_table, statement):
    conn, cur = _read_cursor()
    with conn, pytest.raises(psycopg2.errors.InsufficientPrivilege):
        cur.execute(statement)
    with psycopg2.connect(config["ckan.datastore.write_url"]) as check, check.cursor() as cur:
        cur.execute('SELECT n FROM "ro_probe"')
        assert cur.fetchall() == [(1,)]


def test_read_role_cannot_reach_the_ckan_database():
    read_url = config["ckan.datastore.read_url"]
    ckan_db_as_reader = read_url.rsplit("/", 1)[0] + "/ckan"
    with pytest.raises(psycopg2.OperationalError, match="permission denied"):
        psycopg2.connect(ckan_db_as_reader)


def test_database_passwords_are_required_over_tcp():
    url = config["sqlalchemy.url"]
    without_password = url.split("://", 1)[0] + "://ckan@" + url.split("@", 1)[1]
    with pytest.raises(psycopg2.OperationalError, match="password"):
        psycopg2.connect(without_password)

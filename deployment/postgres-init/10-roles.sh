#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is created (official postgres image).
# Same roles and rights as the embedded runtime (runtime/postgres.py).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE ckan LOGIN PASSWORD '$PG_CKAN_PASSWORD';
CREATE ROLE datastore_write LOGIN PASSWORD '$DATASTORE_WRITE_PASSWORD';
CREATE ROLE datastore_read LOGIN PASSWORD '$DATASTORE_READ_PASSWORD';
CREATE DATABASE ckan OWNER ckan ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE datastore OWNER datastore_write ENCODING 'UTF8' TEMPLATE template0;
REVOKE CONNECT, TEMPORARY ON DATABASE ckan FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE ckan TO ckan;
REVOKE CONNECT, TEMPORARY ON DATABASE datastore FROM PUBLIC;
GRANT CONNECT ON DATABASE datastore TO datastore_write, datastore_read;
\connect ckan
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE EXTENSION IF NOT EXISTS btree_gist;
SQL
# Then, once CKAN's image is built: `docker compose run --rm init` applies
# migrations, and `ckan datastore set-permissions | psql` the DataStore rights.

#!/usr/bin/env bash
# Generate the production secrets once per install into deployment/secrets/
# (git-ignored). Never commit them; back them up with the database.
set -euo pipefail
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
[ -e secrets/ckan.env ] && { echo "secrets/ already exists; not overwriting." >&2; exit 1; }
gen() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
pg_admin=$(gen); pg_ckan=$(gen); pg_write=$(gen); pg_read=$(gen)
echo "$pg_admin" > secrets/postgres_password
cat > secrets/db.env <<ENV
PG_CKAN_PASSWORD=$pg_ckan
DATASTORE_WRITE_PASSWORD=$pg_write
DATASTORE_READ_PASSWORD=$pg_read
ENV
cat > secrets/ckan.env <<ENV
CKAN_SQLALCHEMY_URL=postgresql://ckan:$pg_ckan@db/ckan
CKAN_DATASTORE_WRITE_URL=postgresql://datastore_write:$pg_write@db/datastore
CKAN_DATASTORE_READ_URL=postgresql://datastore_read:$pg_read@db/datastore
CKAN_SECRET_KEY=$(gen)
CKAN_API_TOKEN_SECRET=$(gen)
ENV
echo "Secrets written to $(pwd)/secrets/"

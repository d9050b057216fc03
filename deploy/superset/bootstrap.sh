#!/bin/bash
# First start: migrate Superset's own DB, create the admin, register the serving warehouse
# (read-only DuckDB) as a database; then serve on :8088.
set -e
superset db upgrade
superset fab create-admin --username admin --firstname gongkai --lastname admin \
  --email admin@localhost --password "$SUPERSET_ADMIN_PASSWORD" || true
superset init
superset set-database-uri --database_name gongkai --uri "$GONGKAI_SERVING_URI" || true
exec gunicorn --bind 0.0.0.0:8088 --workers 2 --timeout 120 "superset.app:create_app()"

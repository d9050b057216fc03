#!/bin/bash
# Every start: migrate Superset's own DB, create the admin (once), then import the dashboards-as-code
# bundle (database → serving warehouse read-only, datasets, charts, dashboards; same UUIDs, so a
# re-import updates them in place) and serve on :8088.
set -e
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
superset db upgrade
superset fab create-admin --username "${SUPERSET_ADMIN_USER:-admin}" --firstname gongkai --lastname admin \
  --email admin@localhost --password "$SUPERSET_ADMIN_PASSWORD" || true
superset init
python "$HERE/import_bundle.py" --uri "$GONGKAI_SERVING_URI" --bundle "$HERE/bundle"
exec gunicorn --bind 0.0.0.0:8088 --workers 2 --timeout 120 "superset.app:create_app()"

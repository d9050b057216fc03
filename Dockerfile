# gongkai image: Airflow 3 components (api-server, scheduler, dag-processor, triggerer, celery
# worker), the pipeline and the portal replica, installed from uv.lock. Command = airflow sub-command.
FROM python:3.11-slim-bookworm

# antiword/catdoc: legacy .doc/.xls text; poppler-utils: pdftotext; curl: health checks; tini: PID 1
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      antiword catdoc poppler-utils curl tini libpq5 \
 && rm -rf /var/lib/apt/lists/*

COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /uvx /usr/local/bin/

ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow \
    GONGKAI_HOME=/data \
    PYTHONUNBUFFERED=1

WORKDIR /opt/gongkai
# dependencies first (cached layer), exactly as locked; then the project itself
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev \
 && useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home airflow \
 && mkdir -p /data /opt/airflow \
 && chown -R 50000:0 /data /opt/airflow /opt/gongkai/dbt_project

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/gongkai/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    GONGKAI_DBT_PROJECT_DIR=/opt/gongkai/dbt_project \
    GONGKAI_PORTALS=/opt/gongkai/scrapers/portals.yaml

USER 50000
ENTRYPOINT ["/usr/bin/tini", "--", "airflow"]
CMD ["version"]

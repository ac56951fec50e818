# The image Dagster+ runs leanetl in: code servers and runs (Hybrid agents pull it from the
# registry in build.yaml; Serverless builds it when the workflow deploys with Docker). Python
# packages are the ones requirements.lock pins, as for `make`.
FROM python:3.11-slim-bookworm

# Java for Spark (the leads' answers in local mode); Chromium for the reach maps' PNGs (kaleido).
RUN apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless chromium \
    && rm -rf /var/lib/apt/lists/*
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 BROWSER_PATH=/usr/bin/chromium

WORKDIR /opt/leanetl
COPY requirements.lock ./
RUN pip install --no-cache-dir uv \
    && uv pip install --system --no-cache -r requirements.lock
COPY pyproject.toml setup.cfg README.md workspace.yaml ./
COPY leanetl ./leanetl
COPY dbt ./dbt
# The dbt manifest Dagster reads the dbt assets from (no warehouse connection needed).
# Editable: leanetl finds dbt/ next to its package (PROJECT_ROOT), as in a checkout.
RUN uv pip install --system --no-cache --no-deps -e . \
    && dbt parse --quiet --project-dir dbt --profiles-dir dbt \
    && dagster-cloud --version

EXPOSE 4000
# Run on its own (docker run, a plain Kubernetes deployment): a code server for the definitions.
# Dagster+ agents start the container with their own command.
CMD ["dagster", "api", "grpc", "--host", "0.0.0.0", "--port", "4000", "--module-name", "leanetl.definitions"]

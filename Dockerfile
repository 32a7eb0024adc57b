# The Liaison Portal image: web (uvicorn), Celery workers and beat all run from it
# (see docker-compose.yml). PostgreSQL and Redis come from their own images, so the
# `embedded` extra is not installed.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # pyproject.toml declares no packages: the apps are imported from the source tree.
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=portal.settings

WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# GraphiQL, React, graphql-ws and axe-core from the npm registry (pinned in portal/vendor/package-lock.json),
# into portal/static/vendor/ for collectstatic; npm is needed for this step only.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends npm \
    && python -m portal.vendor_assets && rm -rf var/npm \
    && apt-get purge -y -q npm && apt-get autoremove -y -q && rm -rf /var/lib/apt/lists/*

# Static files are baked into the image. The URLs only satisfy manage.py (which would otherwise
# start the embedded servers); collectstatic connects to neither. The SECRET_KEY lives in this
# one build step only: a container refuses to start until SECRET_KEY (or SECRET_KEY_FILE) is set.
RUN DATABASE_URL=postgres://build@127.0.0.1:1/build REDIS_URL=redis://127.0.0.1:1/0 \
    SECRET_KEY=collectstatic-at-build-time-only \
    python manage.py collectstatic --noinput -v 0

RUN useradd --system --uid 10001 --home-dir /app portal \
    && mkdir -p /app/var/media /app/var/metrics \
    && chown -R portal /app/var
USER portal

EXPOSE 8000
# --no-proxy-headers, as make run (portal/run.py) starts it: uvicorn would otherwise believe
# X-Forwarded-For from any local client; the portal reads it itself, only from TRUSTED_PROXIES.
CMD ["uvicorn", "portal.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--ws", "websockets", "--ws-per-message-deflate", "false", "--no-proxy-headers"]

# Jamaat bot: slim Python, non-root, translations compiled at build, the database on a volume.
# Migrations run at every start (python -m bot run applies pending ones before polling).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/jamaat.sqlite3

WORKDIR /app
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY migrations ./migrations
COPY locales ./locales
RUN pip install -e . \
    && pybabel compile --domain=messages --directory=locales --statistics \
    && useradd --system --uid 10001 --home-dir /app jamaat \
    && mkdir -p /data && chown jamaat /data

# Installed in editable mode: the package runs from /app, where migrations/ and locales/ sit beside it.
USER jamaat
VOLUME ["/data"]
CMD ["python", "-m", "bot", "run"]

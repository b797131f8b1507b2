# Jamaat bot: slim Python, non-root, pinned dependencies in their own layer, the database on /data.
# Migrations run at every start (python -m bot run applies pending ones before taking updates).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DATABASE_PATH=/data/jamaat.sqlite3 \
    WEB_LISTEN=0.0.0.0:8080 \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app

# 1. Dependencies only, from the lock file: a change of the code does not reinstall them.
COPY requirements.lock ./
RUN pip install --requirement requirements.lock

# 2. The code: it runs from /app (python -m bot), beside migrations/ and locales/; translations compiled.
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY migrations ./migrations
COPY locales ./locales
COPY deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN pybabel compile --domain=messages --directory=locales --statistics \
    && groupadd --system --gid 10001 jamaat \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin jamaat \
    && mkdir -p /data && chown jamaat /data \
    && chmod 0755 /usr/local/bin/docker-entrypoint.sh

# The entrypoint starts as root only to make /data writable for the jamaat user (a host folder
# mounted over the volume keeps its host owner), then runs the bot as jamaat (uid 10001).
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["python", "-m", "bot", "run"]

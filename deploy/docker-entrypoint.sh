#!/bin/sh
# Start the bot as the unprivileged user `jamaat` with a writable /data.
# A host folder mounted at /data keeps its host owner (often root), so the non-root user could not
# create the database there; as root we hand /data to jamaat once, then drop privileges with setpriv
# (util-linux, in the base image). Started as another user (docker run --user), we just run.
set -eu
DATA_DIR="${DATA_DIR:-/data}"
if [ "$(id -u)" = "0" ]; then
    mkdir -p "$DATA_DIR"
    if [ "$(stat -c %u "$DATA_DIR")" != "10001" ]; then
        chown -R 10001:10001 "$DATA_DIR"
    fi
    exec setpriv --reuid=10001 --regid=10001 --clear-groups -- "$@"
fi
if [ ! -w "$DATA_DIR" ]; then
    echo "$DATA_DIR is not writable by uid $(id -u): chown it to that user, or start the container as root" >&2
    exit 1
fi
exec "$@"

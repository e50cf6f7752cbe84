#!/bin/sh
# Like the official image: redis-server runs as user redis and, with no config file, listens on every
# interface without protected mode (the container network is the boundary).
set -eu
if [ "${1:-}" = redis-server ] && [ "$(id -u)" = 0 ]; then
  chown -R redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups "$@" --protected-mode no
fi
exec "$@"

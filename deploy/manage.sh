#!/bin/sh
# manage.py with the service's settings: deploy/manage.sh migrate, createsuperuser, ...
# Run as root or as the influence-map user (who can read the environment file).
set -eu
set -a
. /etc/influence-map/influence-map.env
set +a
cd "$(dirname "$0")/.."
exec .venv/bin/python manage.py "$@"

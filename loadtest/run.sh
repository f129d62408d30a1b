#!/usr/bin/env bash
# `make loadtest`: gunicorn on PostgreSQL with a 2,000-person workspace, 50 readers and
# 5 editors on loopback for 60 s, a task worker recomputing scores meanwhile; then every
# acknowledged write is looked up in the database. Exits non-zero if a target is missed.
#
# Knobs (environment): LOADTEST_PORT (8600), LOADTEST_DB (influence_map_load),
# LOADTEST_PEOPLE (2000), LOADTEST_READERS (50), LOADTEST_SECONDS (60),
# LOADTEST_WORKERS (2 x cores + 1), LOADTEST_THREADS (4), LOADTEST_THINK ("1 5": seconds
# each user waits between pages).
# The database LOADTEST_DB on 127.0.0.1:5432 (user postgres) is dropped and rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT=${LOADTEST_PORT:-8600}
DB=${LOADTEST_DB:-influence_map_load}
PEOPLE=${LOADTEST_PEOPLE:-2000}
READERS=${LOADTEST_READERS:-50}
SECONDS_=${LOADTEST_SECONDS:-60}
WORKERS=${LOADTEST_WORKERS:-$((2 * $(nproc) + 1))}
THREADS=${LOADTEST_THREADS:-4}
THINK=${LOADTEST_THINK:-1 5}
PG="-h 127.0.0.1 -p 5432 -U postgres"

step() { printf '\n==> %s\n' "$*"; }

WORK=$(mktemp -d -t influence-map-loadtest.XXXXXX)
GUNICORN_PID=""
WORKER_PID=""
stop_servers() {
  for pid in $GUNICORN_PID $WORKER_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $GUNICORN_PID $WORKER_PID; do
    wait "$pid" 2>/dev/null || true
  done
  GUNICORN_PID="" WORKER_PID=""
}
cleanup() {
  stop_servers
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Production settings: DEBUG off, a fresh key, background scoring through the database
# queue. Plain HTTP on loopback, so no HTTPS redirect (TLS is the proxy's job).
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export DEBUG=false
SECRET_KEY="loadtest-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export SECRET_KEY
export SECURE_SSL_REDIRECT=false
export ALLOWED_HOSTS=127.0.0.1
export TASKS_BACKEND=django_tasks_db.DatabaseBackend
export LOG_LEVEL=WARNING

step "PostgreSQL"
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "error: no PostgreSQL cluster here; install one (apt-get install postgresql)." >&2
    exit 1
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
# shellcheck disable=SC2086
dropdb $PG --if-exists "$DB" 2>/dev/null
# shellcheck disable=SC2086
createdb $PG "$DB"

step "Database $DB: migrate, $PEOPLE people, users, first scores"
$PY manage.py migrate --no-input -v 0
$PY manage.py collectstatic --no-input -v 0
$PY -m loadtest.prepare --people "$PEOPLE" --out "$WORK/plan.json"

step "gunicorn on 127.0.0.1:$PORT ($WORKERS workers x $THREADS threads) and a task worker"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "error: port $PORT is in use; set LOADTEST_PORT." >&2
  exit 1
fi
.venv/bin/gunicorn influence_map.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers "$WORKERS" --worker-class gthread --threads "$THREADS" --timeout 60 --keep-alive 5 \
  --error-logfile "$WORK/gunicorn.log" >"$WORK/gunicorn.out" 2>&1 &
GUNICORN_PID=$!
# Niced: in production workers run beside, not on, the web servers' cores.
nice -n 10 $PY manage.py db_worker --no-reload --interval 0.5 >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
answers() {
  $PY -c "import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=5)" \
    "http://127.0.0.1:$PORT/accounts/login/" 2>/dev/null
}
for _ in $(seq 1 60); do
  answers && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$WORK/gunicorn.log"; exit 1; }
  sleep 1
done
answers || { echo "error: gunicorn does not answer on port $PORT." >&2; exit 1; }

step "Load: $READERS readers and 5 editors for ${SECONDS_}s"
$PY -m loadtest.generator --base "http://127.0.0.1:$PORT" --plan "$WORK/plan.json" \
  --out "$WORK/results.json" --readers "$READERS" --seconds "$SECONDS_" \
  --think $THINK
stop_servers
for log in "$WORK"/*.log "$WORK/gunicorn.out"; do
  if grep -qE "Traceback|\[ERROR\]|CRITICAL" "$log"; then
    echo "$(basename "$log") shows errors (last lines):"
    tail -n 25 "$log"
  fi
done

step "Every acknowledged write in the database?"
status=0
$PY -m loadtest.check --plan "$WORK/plan.json" --results "$WORK/results.json" || status=$?
if [ -n "${LOADTEST_KEEP:-}" ]; then
  cp "$WORK/results.json" "$LOADTEST_KEEP"
  echo "Results kept in $LOADTEST_KEEP"
fi
exit "$status"

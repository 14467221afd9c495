#!/usr/bin/env bash
# `make demo`'s server: the background task worker (manage.py db_worker, ADR 0014) beside
# Django's runserver, stopped when runserver stops (Ctrl+C included). The worker builds the
# PDF booklets after publishing and brings the finder's index and the freshness checks up to
# date after an import; its log goes to var/demo-worker.log. With TASKS_BACKEND=immediate
# there is nothing to wait for, so no worker is started.
#
#   scripts/demo-serve.sh 127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
address=${1:?usage: scripts/demo-serve.sh HOST:PORT}
mkdir -p var
if $PY manage.py tasks_status --format json | grep -q '"backend": "database"'; then
  $PY manage.py db_worker --no-reload >>var/demo-worker.log 2>&1 &
  worker=$!
  trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT
  echo "Background tasks: manage.py db_worker (process $worker, log var/demo-worker.log)"
fi
$PY manage.py runserver "$address"

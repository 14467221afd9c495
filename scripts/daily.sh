#!/usr/bin/env bash
# The daily job, in order: registry records, publications, then the freshness checks over what
# was stored (emailing editors when something new is flagged), then the privacy purge of
# decided group applications. A failed step does not stop the later ones (the checks and the
# purge must run even when the registry is unreachable); the job exits non-zero if any failed.
set -u
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
status=0
for step in "sync_trials" "sync_publications" "check_freshness" "purge_applications"; do
  echo "== $(date -u +%FT%TZ) manage.py $step"
  $PY manage.py $step || { echo "!! manage.py $step failed"; status=1; }
done
exit $status

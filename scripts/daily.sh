#!/usr/bin/env bash
# The daily job, in order: registry records, publications, then the freshness checks over what
# was stored (emailing editors when something new is flagged), then the privacy purge of
# decided group applications. A failed step does not stop the later ones (the checks and the
# purge must run even when the registry is unreachable); the job exits non-zero if any failed.
# Last, with the database task backend, the tasks the steps enqueued (the finder's index and
# the freshness re-check of synced trials, ADR 0014) are run, so the job completes them even
# where no worker service runs (with one, the two share the queue safely); then the log shows
# how many tasks still wait or failed (`manage.py tasks_status`).
# Only one run at a time: the job re-runs itself under scripts/run-locked.sh, which holds a lock
# on var/daily.lock (DAILY_LOCK_FILE); a second run started meanwhile exits at once with status
# 75 and a line saying so, and a run killed half-way leaves no lock behind. The sync it
# interrupted resumes from its last committed page in the next run.
set -u
cd "$(dirname "$0")/.."
if [ -z "${LH_DAILY_LOCKED:-}" ]; then
  LH_DAILY_LOCKED=1 exec scripts/run-locked.sh "${DAILY_LOCK_FILE:-var/daily.lock}" scripts/daily.sh "$@"
fi
PY=${PY:-.venv/bin/python}
status=0
for step in "sync_trials" "sync_publications" "check_freshness" "purge_applications"; do
  echo "== $(date -u +%FT%TZ) manage.py $step"
  $PY manage.py $step || { echo "!! manage.py $step failed"; status=1; }
done
if $PY manage.py tasks_status --format json | grep -q '"backend": "database"'; then
  echo "== $(date -u +%FT%TZ) manage.py db_worker --batch"
  $PY manage.py db_worker --batch --no-reload --no-startup-delay ||
    { echo "!! manage.py db_worker failed"; status=1; }
fi
echo "== $(date -u +%FT%TZ) manage.py tasks_status"
$PY manage.py tasks_status || { echo "!! manage.py tasks_status failed"; status=1; }
exit $status

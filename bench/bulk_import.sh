#!/usr/bin/env bash
# Bulk import benchmark: import N generated studies into a fresh database and report the wall
# time, the peak memory of the importer *and its parser processes together*, and the load
# average before and after (the machine's cores may be shared), and the CPU time the importer
# and its parsers used: on a shared machine, CPU time / cores is what an idle one would need
# at best. PostgreSQL's own processes are not in the memory or CPU figures.
#
#   bench/bulk_import.sh 20000                           # SQLite, var/bench/bench.sqlite3
#   scripts/with-postgres.sh bench/bulk_import.sh 20000  # PostgreSQL
#   BENCH_LISTENERS=1 bench/bulk_import.sh 20000         # keep the trials_stored listeners
#   BENCH_KEEP_DB=1 bench/bulk_import.sh 20000           # keep var/bench/bench.sqlite3 afterwards
#
# The archive var/bench/ctg-studies-N.json.zip is generated first if missing (not timed).
# By default the trials_stored listeners (the finder's search index) are disconnected, so the
# figure is the import's own; BENCH_LISTENERS=1 measures the import with them. Their tasks run
# immediately, inside the import (TASKS_BACKEND=immediate unless set), so the figure includes
# the index work a worker would otherwise do beside the import (ADR 0014).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-20000}
zip=var/bench/ctg-studies-$count.json.zip
# DJANGO_DEBUG=true only so that no production secrets are needed; DEBUG itself is turned off
# in the importer below, so that statements are not kept in memory (Django keeps the last
# 9,000 under DEBUG, with their parameters, which the finder's index statements make large).
export DJANGO_DEBUG=true
export TASKS_BACKEND=${TASKS_BACKEND:-immediate}
mkdir -p var/bench
[ -f "$zip" ] || .venv/bin/python bench/generate_bulk_zip.py "$count" "$zip" >/dev/null
if [ -z "${DATABASE_URL:-}" ]; then
  rm -f var/bench/bench.sqlite3*
  export DATABASE_URL="sqlite:///$(pwd)/var/bench/bench.sqlite3"
fi
.venv/bin/python manage.py migrate -v0 2>/dev/null

# The summed resident memory of a process and all its descendants, sampled every 0.5 s.
peak_tree_rss() {
  local root=$1 peak=0 total
  while kill -0 "$root" 2>/dev/null; do
    total=$(ps -eo pid=,ppid=,rss= | awk -v root="$root" '
      { parent[$1] = $2; rss[$1] = $3 }
      END {
        for (pid in parent) {
          p = pid
          while (p != "" && p != root && p != 0 && p != 1) p = parent[p]
          if (p == root) sum += rss[pid]
        }
        print sum + 0
      }')
    [ "$total" -gt "$peak" ] && peak=$total
    sleep 0.5
  done
  echo "$peak"
}

echo "importing $count studies from $zip into ${DATABASE_URL%%:*} ($(nproc) cores)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
.venv/bin/python -c '
import os, sys
if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    django.setup()
    from django.conf import settings
    settings.DEBUG = False
    from django.core.management import call_command
    from trials.signals import trials_stored
    if os.environ.get("BENCH_LISTENERS") != "1":
        trials_stored.receivers.clear()
    call_command("import_trials", sys.argv[1], verbosity=1)
    import resource
    cpu = sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )
    print(f"CPU time (importer + parsers, user + sys): {cpu:.0f} s")
' "$zip" >var/bench/import.log 2>&1 &
importer=$!
peak=$(peak_tree_rss "$importer")
wait "$importer" || { tail -20 var/bench/import.log; exit 1; }
end=$(date +%s.%N)
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
tr "\r" "\n" <var/bench/import.log | grep -v "^\s*$" | tail -4
awk -v s="$start" -v e="$end" -v n="$count" -v kb="$peak" 'BEGIN {
  printf "wall %.1f s, %.0f studies/s, peak RSS (importer + parsers) %.0f MB\n", e - s, n / (e - s), kb / 1024
}'
if [ -z "${BENCH_KEEP_DB:-}" ] && [[ $DATABASE_URL == sqlite* ]]; then
  du -h var/bench/bench.sqlite3 | cut -f1 | sed 's/^/database size: /'
  rm -f var/bench/bench.sqlite3*
fi

#!/usr/bin/env bash
# Bulk import benchmark: generate N studies, import them into a fresh database, report time and peak memory.
#   bench/bulk_import.sh 20000            # SQLite (var/bench/bench.sqlite3)
#   DATABASE_URL=postgres://… bench/bulk_import.sh 20000
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-20000}
zip=var/bench/ctg-studies-$count.json.zip
export DJANGO_DEBUG=true
[ -f "$zip" ] || .venv/bin/python bench/generate_bulk_zip.py "$count" "$zip" >/dev/null
if [ -z "${DATABASE_URL:-}" ]; then
  rm -f var/bench/bench.sqlite3*
  export DATABASE_URL="sqlite:///$(pwd)/var/bench/bench.sqlite3"
fi
.venv/bin/python manage.py migrate -v0
echo "importing $count studies from $zip into ${DATABASE_URL%%:*}"
/usr/bin/time -f "wall %e s, peak RSS %M KB" .venv/bin/python manage.py import_trials "$zip" 2>&1 | tail -3

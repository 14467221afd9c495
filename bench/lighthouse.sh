#!/usr/bin/env bash
# Lighthouse (npm, mobile defaults: emulated phone, simulated slow 4G and 4x CPU slowdown) on
# the demo page in Simplified Chinese and English, against a local server with the production
# settings (DJANGO_DEBUG=false, page cache on) on a throwaway SQLite database holding the demo.
# Each page is measured RUNS times (default 5, as Lighthouse's own guidance on variability
# recommends) and the run with the median performance score is reported, with the range of
# all runs: on a shared 2-core machine one run's score moves by several points with the load.
# Full reports in bench/out/.
#
#   make bench-lighthouse               # installs Lighthouse (npm, not in the lock) if needed
#   bench/lighthouse.sh [PATH…]         # other pages, e.g. /en/
#   RUNS=1 bench/lighthouse.sh          # a single run per page
#
# Only 127.0.0.1 is contacted. Chromium is Debian's (/usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

PY=.venv/bin/python
LIGHTHOUSE=node_modules/.bin/lighthouse
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
[ -x "$LIGHTHOUSE" ] || { echo "Lighthouse is missing: run make bench-lighthouse (or npm ci)." >&2; exit 1; }

PAGES=("$@")
[ ${#PAGES[@]} -gt 0 ] || PAGES=(
  /zh-hans/experimental-treatment/jian-chong-zhi-gan-xi-bao/
  /en/experimental-treatment/mesenchymal-stem-cells/
)

DB="$PWD/var/bench/lighthouse.sqlite3"
OUT="$PWD/bench/out"
mkdir -p "$(dirname "$DB")" "$OUT"
rm -f "$DB" "$DB-wal" "$DB-shm"
KEY=$($PY -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
echo "Preparing a throwaway database with the demo (migrate, load_demo)…"
export MEMBERSHIP_ENCRYPTION_KEYS="$KEY"
DATABASE_URL="sqlite:///$DB" DJANGO_DEBUG=true $PY manage.py migrate --no-input -v 0 >/dev/null
DATABASE_URL="sqlite:///$DB" DJANGO_DEBUG=true $PY manage.py load_demo -v 0 >/dev/null

PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SECRET=$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')
DATABASE_URL="sqlite:///$DB" DJANGO_DEBUG=false DJANGO_SECRET_KEY="$SECRET" \
  DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=false \
  DJANGO_LOG_LEVEL=ERROR \
  $PY manage.py runserver --noreload --insecure "127.0.0.1:$PORT" >"$OUT/lighthouse-server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT${PAGES[0]}" && break
  sleep 0.5
done

RUNS="${RUNS:-5}"
echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for path in "${PAGES[@]}"; do
  name=$(echo "$path" | tr -c 'A-Za-z0-9\n' '-' | sed 's/^-*//; s/-*$//')
  reports=()
  for run in $(seq "$RUNS"); do
    report="$OUT/lighthouse-$name-$run.json"
    # A run that Lighthouse itself cannot score (e.g. its NO_NAVSTART trace error) is tried
    # once more and said so; a second failure fails the benchmark.
    for attempt in 1 2; do
      if "$LIGHTHOUSE" "http://127.0.0.1:$PORT$path" --quiet \
        --only-categories=performance,accessibility \
        --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --disable-quic" \
        --output=json --output-path="$report"; then
        reports+=("$report")
        break
      fi
      if [ "$attempt" -eq 1 ]; then
        echo "  run $run: Lighthouse could not score the page; trying again"
      else
        status=1
      fi
    done
  done
  [ ${#reports[@]} -gt 0 ] || continue
  node -e '
    const [path, ...files] = process.argv.slice(1);
    const runs = files.map((f) => require(f));
    const s = (r, c) => Math.round(r.categories[c].score * 100);
    const line = (r) => {
      const a = r.audits;
      return `performance ${s(r, "performance")}, accessibility ${s(r, "accessibility")}` +
        ` (FCP ${a["first-contentful-paint"].displayValue}, LCP ${a["largest-contentful-paint"].displayValue},` +
        ` TBT ${a["total-blocking-time"].displayValue}, CLS ${a["cumulative-layout-shift"].displayValue},` +
        ` benchmarkIndex ${Math.round(r.environment.benchmarkIndex)})`;
    };
    runs.forEach((r, i) => console.log(`  run ${i + 1}: ${line(r)}`));
    const sorted = [...runs].sort((x, y) => s(x, "performance") - s(y, "performance"));
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    const perf = runs.map((r) => s(r, "performance"));
    const a11y = runs.map((r) => s(r, "accessibility"));
    console.log(`${path}: median of ${runs.length}: ${line(median)};` +
      ` performance ${Math.min(...perf)}–${Math.max(...perf)}, accessibility ${Math.min(...a11y)}–${Math.max(...a11y)}`);
    const a = median.audits;
    const failed = Object.values(a).filter((x) => x.score === 0 && median.categories.accessibility.auditRefs.some((ref) => ref.id === x.id));
    for (const x of failed) console.log(`  accessibility audit failed: ${x.id}: ${x.title}`);
  ' "$path" "${reports[@]}"
done
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status

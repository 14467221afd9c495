#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server.
#
#   scripts/with-postgres.sh COMMAND [ARGS...]
#
# Creates a fresh cluster in a temp dir, starts it on a Unix socket in that dir plus
# 127.0.0.1:<free port>, creates the database `living_handbook` and a password role allowed to
# CREATE DATABASE (pytest-django makes `test_living_handbook`), exports
#   DATABASE_URL=postgres://USER:PASS@127.0.0.1:PORT/living_handbook
# runs COMMAND, then stops the server and removes the temp dir on any exit (success, failure,
# Ctrl-C, TERM). Exits with COMMAND's exit code. Progress goes to stderr, prefixed [postgres].
#
# Server binaries: $PG_BINDIR if set, else the newest /usr/lib/postgresql/*/bin, else
# `pg_config --bindir` or PATH, else (as root, Debian) `apt-get install postgresql`. initdb refuses to run as root, so as
# root the cluster belongs to the system user $LH_PG_USER (default lhpg, created if missing);
# as a normal user it simply belongs to you.
set -euo pipefail

log() { printf '[postgres] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

DB_NAME=living_handbook
DB_USER=living_handbook
OS_USER=${LH_PG_USER:-lhpg}
STARTED_AT=$(date +%s%N)

elapsed() { echo "$((($(date +%s%N) - STARTED_AT) / 1000000)) ms"; }

# ---------------------------------------------------------------- find or install binaries
find_bindir() {
  local d best="" best_ver=-1 ver
  if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then
    echo "$PG_BINDIR"
    return 0
  fi
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] || continue
    ver=$(basename "$(dirname "$d")")
    ver=${ver%%.*}
    [[ $ver =~ ^[0-9]+$ ]] || continue
    if [ "$ver" -gt "$best_ver" ]; then
      best_ver=$ver
      best=$d
    fi
  done
  if [ -n "$best" ]; then
    echo "$best"
    return 0
  fi
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  fi
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

install_postgres() {
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL server binaries not found and not root: install the 'postgresql' package (or set PG_BINDIR)."
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL server binaries not found and no apt-get: install PostgreSQL (or set PG_BINDIR)."
  log "server binaries not found; installing Debian package 'postgresql'"
  # Don't let the package create and start its own 'main' cluster: we only want the binaries.
  # (A drop-in file in postgresql-common's include_dir, not a conffile, so dpkg never prompts.)
  mkdir -p /etc/postgresql-common/createcluster.d
  if [ ! -e /etc/postgresql-common/createcluster.d/living-handbook.conf ]; then
    printf '# scripts/with-postgres.sh only needs the server binaries\ncreate_main_cluster = false\n' \
      >/etc/postgresql-common/createcluster.d/living-handbook.conf
  fi
  apt-get update -qq </dev/null >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql </dev/null >&2
}

BINDIR=$(find_bindir) || {
  install_postgres
  BINDIR=$(find_bindir) || die "PostgreSQL installed but initdb/pg_ctl still not found"
}
PSQL="$BINDIR/psql"
[ -x "$PSQL" ] || PSQL=$(command -v psql) || die "psql not found"
log "using $("$BINDIR/postgres" --version) from $BINDIR"

# ---------------------------------------------------------------- who owns the cluster
AS_OWNER=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id -u "$OS_USER" >/dev/null 2>&1; then
    log "creating system user $OS_USER to own the throwaway cluster"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER" \
      || useradd --system -M -s /bin/false "$OS_USER" \
      || id -u "$OS_USER" >/dev/null 2>&1 || die "could not create user $OS_USER" # (a parallel run may have)
  fi
  if command -v runuser >/dev/null 2>&1; then
    AS_OWNER=(runuser -u "$OS_USER" --)
  elif command -v setpriv >/dev/null 2>&1; then
    AS_OWNER=(setpriv --reuid="$OS_USER" --regid="$(id -g "$OS_USER")" --init-groups --)
  else
    die "need runuser or setpriv to run initdb as $OS_USER"
  fi
  # The owner must be able to reach the temp dir, so keep it under /tmp, not root's $TMPDIR.
  TMP_BASE=/tmp
else
  TMP_BASE=${TMPDIR:-/tmp}
fi

# ---------------------------------------------------------------- cleanup on any exit
PGTMP=""
PGDATA=""
PG_PID="" # our background child: the postmaster (or runuser, whose child it is)

cleanup() {
  local rc=$? t0 pid i
  set +e
  trap - EXIT INT TERM HUP
  if [ -n "$PG_PID" ]; then
    t0=$(date +%s%N)
    if ! "${AS_OWNER[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null 2>&1 \
      && ! "${AS_OWNER[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -m immediate -w -t 10 stop >/dev/null 2>&1; then
      # Last resort: our own server only, never anything found by name.
      pid=$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null)
      log "pg_ctl stop failed; killing postmaster ${pid:-?} and child $PG_PID"
      [[ $pid =~ ^[0-9]+$ ]] && kill -KILL "$pid" 2>/dev/null
      kill -KILL "$PG_PID" 2>/dev/null
    fi
    # Reap our child so no (defunct) postgres is left behind; bounded, never hangs.
    for i in $(seq 50); do
      kill -0 "$PG_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$PG_PID" 2>/dev/null && kill -KILL "$PG_PID" 2>/dev/null
    wait "$PG_PID" 2>/dev/null
    log "server stopped in $((($(date +%s%N) - t0) / 1000000)) ms"
  fi
  if [ -n "$PGTMP" ] && [ -d "$PGTMP" ]; then
    rm -rf -- "$PGTMP" && log "removed $PGTMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

PGTMP=$(mktemp -d "$TMP_BASE/lh-pg.XXXXXX")
PGDATA="$PGTMP/data"
if [ "${#AS_OWNER[@]}" -gt 0 ]; then
  chown "$OS_USER:" "$PGTMP"
fi
chmod 700 "$PGTMP"

# ---------------------------------------------------------------- initdb
LOCALE_ARGS=(--no-locale)
LOCALES=$(locale -a 2>/dev/null || true)
if grep -qix 'c\.utf-\?8' <<<"$LOCALES"; then
  LOCALE_ARGS=(--locale=C.UTF-8)
fi
log "initdb in $PGDATA"
if ! "${AS_OWNER[@]}" "$BINDIR/initdb" -D "$PGDATA" -U postgres --encoding=UTF8 "${LOCALE_ARGS[@]}" \
  --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$PGTMP/initdb.log" 2>&1 </dev/null; then
  sed 's/^/[postgres] initdb: /' "$PGTMP/initdb.log" >&2
  die "initdb failed"
fi
log "initdb done in $(elapsed)"

# Test-friendly settings; the server listens only on our socket dir and loopback.
cat >>"$PGDATA/postgresql.conf" <<EOF

# --- scripts/with-postgres.sh: throwaway test server ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGTMP'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
# No parallel workers: small test queries don't need them, and they need /dev/shm space that
# containers often lack ("could not resize shared memory segment").
max_parallel_workers_per_gather = 0
max_connections = 100
logging_collector = off
EOF

# ---------------------------------------------------------------- pick a port and start
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  return 1
}

# The postmaster runs as our own background child (not daemonised by pg_ctl), so this script
# reaps it when it stops; setsid keeps a terminal's Ctrl-C from reaching it before cleanup.
SETSID=()
command -v setsid >/dev/null 2>&1 && SETSID=(setsid)
is_ready() {
  if [ -x "$BINDIR/pg_isready" ]; then
    "$BINDIR/pg_isready" -q -h "$PGTMP" -p "$PORT" -U postgres -d postgres </dev/null >/dev/null 2>&1
  else
    "$PSQL" -X -q -h "$PGTMP" -p "$PORT" -U postgres -d postgres -c 'SELECT 1' </dev/null >/dev/null 2>&1
  fi
}

PORT=""
next=55432
for attempt in 1 2 3 4 5; do
  PORT=$(free_port "$next") || die "no free TCP port found"
  next=$((PORT + 1))
  log "starting server on 127.0.0.1:$PORT and socket $PGTMP (attempt $attempt)"
  : >"$PGTMP/server.log"
  "${SETSID[@]}" "${AS_OWNER[@]}" "$BINDIR/postgres" -D "$PGDATA" -p "$PORT" \
    >>"$PGTMP/server.log" 2>&1 </dev/null &
  PG_PID=$!
  for _ in $(seq 600); do # up to 60 s
    is_ready && break
    kill -0 "$PG_PID" 2>/dev/null || break
    sleep 0.1
  done
  is_ready && break
  if kill -0 "$PG_PID" 2>/dev/null; then
    sed 's/^/[postgres] server: /' "$PGTMP/server.log" >&2 || true
    die "server not ready after 60 s"
  fi
  wait "$PG_PID" 2>/dev/null || true
  PG_PID=""
  if grep -q -i 'could not bind\|could not create .*socket\|address already in use' "$PGTMP/server.log"; then
    log "port $PORT taken, retrying"
    continue
  fi
  sed 's/^/[postgres] server: /' "$PGTMP/server.log" >&2 || true
  die "server failed to start"
done
[ -n "$PG_PID" ] || die "server failed to start after 5 attempts"
log "server up in $(elapsed)"

# ---------------------------------------------------------------- role and database
DB_PASS=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
"$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PORT" -U postgres -d postgres \
  -v role="$DB_USER" -v pass="$DB_PASS" -v db="$DB_NAME" >/dev/null <<'SQL'
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'pass';
CREATE DATABASE :"db" OWNER :"role";
SQL
log "database $DB_NAME and role $DB_USER (CREATEDB) ready in $(elapsed)"

export DATABASE_URL="postgres://$DB_USER:$DB_PASS@127.0.0.1:$PORT/$DB_NAME"
export PGHOST=127.0.0.1 PGPORT="$PORT" PGUSER="$DB_USER" PGPASSWORD="$DB_PASS" PGDATABASE="$DB_NAME"
log "DATABASE_URL=postgres://$DB_USER:***@127.0.0.1:$PORT/$DB_NAME"

# ---------------------------------------------------------------- run the command
log "running: $*"
rc=0
"$@" || rc=$?
log "command exited with $rc"
exit "$rc"

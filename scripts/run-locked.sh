#!/usr/bin/env bash
# Run COMMAND only if no other run holds LOCKFILE; otherwise exit 75 at once, saying so.
#
#   scripts/run-locked.sh LOCKFILE COMMAND [ARGS...]
#
# The lock is flock(2) on LOCKFILE, held by this process and inherited by COMMAND and its
# children, so it lasts exactly as long as the run: the kernel releases it when the last of them
# ends, even after kill -9, so a stale lock file never blocks the next day's run. A second run
# exits rather than waits: it would only repeat the first one's work, and a run still going
# after a day is itself worth an alert. Exit codes: COMMAND's, or 75 (EX_TEMPFAIL: another run
# holds the lock), or 2 (usage).
set -u
if [ "$#" -lt 2 ]; then
  echo "usage: $0 LOCKFILE COMMAND [ARGS...]" >&2
  exit 2
fi
lock=$1
shift
mkdir -p "$(dirname "$lock")"
exec 9>>"$lock"
if ! flock --nonblock 9; then
  echo "!! $(date -u +%FT%TZ) another run holds $lock (since $(cat "$lock.started" 2>/dev/null || echo '?')); not starting" >&2
  exit 75
fi
date -u +%FT%TZ >"$lock.started"
"$@"

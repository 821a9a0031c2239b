#!/usr/bin/env bash
# Start the services the tests talk to, when they are installed here but not answering:
# Redis always (the real-worker tests), PostgreSQL when DATABASE_URL points at it.
set -euo pipefail

wait_for() {  # wait_for NAME COMMAND...: up to 30 s
  local name=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$name did not start." >&2; return 1
}

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    echo "Starting Redis on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
  else
    echo "Redis is not answering on 127.0.0.1:6379 and redis-server is not installed (apt-get install redis-server)." >&2
    exit 1
  fi
fi

if [[ "${DATABASE_URL:-}" == postgres* ]] && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "Starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  wait_for PostgreSQL pg_isready -h 127.0.0.1 -p 5432 -q
fi

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  # The database DATABASE_URL names must exist (the tests make their own test_ copy of it).
  db_name=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlparse(sys.argv[1]).path.lstrip("/"))' "$DATABASE_URL")
  psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1 \
    || psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"$db_name\""
fi

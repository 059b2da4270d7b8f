#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster (team mode's tests):
# initdb in a temp dir as a non-root user, password (scram-sha-256) logins,
# listening only on 127.0.0.1 on a free port and a private socket dir. The
# command gets PAYDESK_TEST_PG_URL, a superuser URL with its password; each
# test creates its own database there. The cluster is stopped and removed when
# the command ends, also when it fails or is interrupted.
# Usage: scripts/with-postgres.sh CMD [ARGS...]
set -euo pipefail
if [ -n "${PAYDESK_TEST_PG_URL:-}" ]; then exec "$@"; fi

PG_BIN=${PG_BIN:-}
if [ -z "$PG_BIN" ]; then
  for v in 17 16 15; do
    [ -x "/usr/lib/postgresql/$v/bin/initdb" ] && { PG_BIN=/usr/lib/postgresql/$v/bin; break; }
  done
fi
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: PostgreSQL 15+ server binaries not found (install the postgresql package: scripts/setup.sh --test)" >&2
  exit 1
fi

# initdb refuses to run as root: as root the cluster belongs to `postgres`.
if [ "$(id -u)" = 0 ]; then
  PG_USER=postgres
  as_pg() { runuser -u "$PG_USER" -- "$@"; }
else
  PG_USER=$(id -un)
  as_pg() { "$@"; }
fi

PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/paydesk-pg.XXXXXX")
chmod 755 "$PG_DIR"
mkdir -p "$PG_DIR/data" "$PG_DIR/sock"
[ "$(id -u)" = 0 ] && chown -R "$PG_USER" "$PG_DIR"
PG_PASS=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
PWFILE="$PG_DIR/pw"
printf '%s\n' "$PG_PASS" > "$PWFILE"
[ "$(id -u)" = 0 ] && chown "$PG_USER" "$PWFILE"
chmod 600 "$PWFILE"

started=0
cleanup() {
  local rc=$?
  if [ $started = 1 ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_USER" --pwfile="$PWFILE" \
  --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
rm -f "$PWFILE"

free_port() {
  python3 - <<'EOF' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
EOF
}

# Tests need no durability (the cluster is thrown away): without fsync they
# spend no time waiting on the disk. PAYDESK_PG_DURABLE=1 keeps the server's
# defaults (the benchmarks' write figures).
FAST="-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
[ "${PAYDESK_PG_DURABLE:-}" = 1 ] && FAST=""
# More server settings for a benchmark, e.g. PAYDESK_PG_OPTIONS="-c shared_buffers=1GB".
FAST="$FAST ${PAYDESK_PG_OPTIONS:-}"

# Another process may take the port between choosing and binding: try again.
for attempt in 1 2 3 4 5; do
  PG_PORT=$(free_port)
  if as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-p $PG_PORT -k $PG_DIR/sock -c listen_addresses=127.0.0.1 -c max_connections=300 $FAST" \
      start >/dev/null 2>&1; then
    started=1
    break
  fi
  [ $attempt = 5 ] && { echo "with-postgres: the server did not start:" >&2; cat "$PG_DIR/server.log" >&2; exit 1; }
done

export PAYDESK_TEST_PG_URL="postgres://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/postgres"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT" >&2
# Not exec: the trap stops the cluster when the command ends.
"$@"

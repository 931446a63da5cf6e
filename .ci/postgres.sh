#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the PostgreSQL stores
# (store/pgstore) and prints, on stdout, the lines to evaluate:
#
#   export TOUCHPOINT_POSTGRES_URL='postgres://tpci:<random>@127.0.0.1:55432/touchpoint?sslmode=disable'
#   export TOUCHPOINT_POSTGRES_STARTED=1
#
# Use from .ci/run:
#
#   PGENV=$(bash .ci/postgres.sh) && eval "$PGENV"
#
# - Installs Debian's postgresql package with apt-get when no PostgreSQL
#   server binaries are found (needs root; apt-get update first,
#   non-interactive). Any failure exits non-zero and prints nothing on
#   stdout; the tests then skip, saying why. Messages go to stderr.
# - initdb refuses to run as root: as root, the cluster belongs to the
#   unprivileged system user tpci (created if missing); otherwise to the
#   caller. Data lives in $TOUCHPOINT_POSTGRES_STATE (default
#   /tmp/touchpoint-postgres), made afresh on every start.
# - Listens on 127.0.0.1 only (its Unix socket in the state directory, not
#   /var/run), password authentication with a random password. Port:
#   $TOUCHPOINT_POSTGRES_PORT, default 55432; if something holds it, the
#   next free port up to +9. Database: touchpoint.
# - fsync and synchronous_commit stay on (the benchmark figures are
#   durable commits).
# - Server settings an operator would give a dedicated database host,
#   scaled to this machine instead of initdb's 128 MB defaults:
#   shared_buffers a quarter of RAM (the PostgreSQL manual's starting
#   point), at least 128 MB and at most 4 GB (a throwaway cluster shares
#   the machine with the tests); max_wal_size 2 GB and checkpoint_timeout
#   15 min, so that a benchmark's write burst is not cut by checkpoints
#   (after each one, the first write to every page of a random-order
#   keyed-hash index logs the whole page). The hub's tables and their
#   indexes outgrow 128 MB within a few benchmark runs, and then inserts
#   evict and re-read index pages.
# - Huge pages for shared memory, as the PostgreSQL manual advises with a
#   large shared_buffers (section "Linux Huge Pages"): as root, the script
#   raises vm.nr_hugepages to hold shared_buffers and gives the old value
#   back on stop (TOUCHPOINT_POSTGRES_HUGE_PAGES=off: normal pages, for
#   comparison). On this VM a random-key index insert is mostly TLB and
#   cache misses; with huge pages the hub's link facts cost PostgreSQL
#   about a quarter less CPU (DESIGN.md, "Fleet sizing").
# - Idempotent: a cluster this script started that still answers is reused
#   (the URL is printed again, without TOUCHPOINT_POSTGRES_STARTED).
# - `bash .ci/postgres.sh stop` stops the cluster this script started and
#   removes its state directory. TOUCHPOINT_POSTGRES_STARTED=1 is printed
#   only when this call started the cluster: only then should the caller
#   stop it, or one run could stop the cluster another run is using.
set -uo pipefail
STATE=${TOUCHPOINT_POSTGRES_STATE:-/tmp/touchpoint-postgres}
BASE_PORT=${TOUCHPOINT_POSTGRES_PORT:-55432}
DB=touchpoint
ROLE=tpci

log() { echo "postgres.sh: $*" >&2; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# bindir prints the newest PostgreSQL server bin directory.
bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  d=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  return 1
}

# as runs a command as the cluster's owner.
as() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$ROLE" -- "$@"; else "$@"; fi
}

running() {
  local bin
  bin=$(bindir) || return 1
  [ -f "$STATE/data/postmaster.pid" ] && as "$bin/pg_ctl" -D "$STATE/data" status >/dev/null 2>&1
}

print_env() { # url started
  printf "export TOUCHPOINT_POSTGRES_URL='%s'\n" "$1"
  if [ "$2" = 1 ]; then echo "export TOUCHPOINT_POSTGRES_STARTED=1"; fi
}

# reserve_hugepages MB makes sure the kernel holds enough huge pages for
# shared memory of MB megabytes (shared_buffers plus PostgreSQL's other
# shared structures, about 1/32 more, and 128 MB of slack), as root, by
# raising vm.nr_hugepages; the value before is kept in $STATE so that stop
# gives it back. PostgreSQL's default huge_pages=try then maps its shared
# memory with them, or falls back to normal pages where the kernel refuses
# (not root, a container without /proc/sys write access, memory too
# fragmented): a log line says which.
reserve_hugepages() {
  local mb=$1 size_kb have want
  size_kb=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo 2>/dev/null)
  have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null)
  if [ -z "$size_kb" ] || [ -z "$have" ] || [ "$size_kb" -le 0 ]; then
    log "no huge pages on this kernel: shared memory uses normal pages"
    return 0
  fi
  want=$(( (mb + mb / 32 + 128) * 1024 / size_kb ))
  [ "$have" -ge "$want" ] && return 0
  if [ "$(id -u)" != 0 ] || ! echo "$want" >/proc/sys/vm/nr_hugepages 2>/dev/null; then
    log "cannot reserve $want huge pages (vm.nr_hugepages is $have): shared memory uses normal pages"
    return 0
  fi
  echo "$have" >"$STATE/nr_hugepages.before"
  log "vm.nr_hugepages $have -> $(cat /proc/sys/vm/nr_hugepages) (wanted $want) for shared_buffers"
}

# restore_hugepages gives back the huge pages reserve_hugepages took.
restore_hugepages() {
  local before
  before=$(cat "$STATE/nr_hugepages.before" 2>/dev/null) || return 0
  echo "$before" >/proc/sys/vm/nr_hugepages 2>/dev/null && log "vm.nr_hugepages back to $before"
}

if [ "${1:-}" = stop ]; then
  if running; then
    as "$(bindir)/pg_ctl" -D "$STATE/data" -m fast -w -t 30 stop >/dev/null 2>&1
    log "stopped the cluster in $STATE"
  else
    log "not running"
  fi
  restore_hugepages
  rm -rf "$STATE"
  exit 0
fi

# 1. Reuse a cluster this script started.
if running && url=$(cat "$STATE/url" 2>/dev/null) && port=$(cat "$STATE/port" 2>/dev/null) && answers "$port"; then
  log "reusing the cluster on 127.0.0.1:$port"
  print_env "$url" 0
  exit 0
fi

# 2. Install when missing.
if ! BIN=$(bindir); then
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL is not installed and this is not root: cannot apt-get install it"
    exit 1
  fi
  log "installing postgresql with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  APTLOG=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >"$APTLOG" 2>&1; then
    tail -n 20 "$APTLOG" >&2
    log "apt-get install postgresql failed"
    exit 1
  fi
  rm -f "$APTLOG"
  BIN=$(bindir) || { log "postgresql installed but initdb not found"; exit 1; }
fi

# 3. The unprivileged owner (as root).
if [ "$(id -u)" = 0 ] && ! id -u "$ROLE" >/dev/null 2>&1; then
  if ! useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ROLE" >&2; then
    log "cannot create the user $ROLE"
    exit 1
  fi
fi

# 4. A fresh cluster.
if [ -f "$STATE/data/postmaster.pid" ]; then # a stale one (killed, not stopped)
  as "$BIN/pg_ctl" -D "$STATE/data" -m immediate stop >/dev/null 2>&1 || true
fi
rm -rf "$STATE"
mkdir -p "$STATE" && chmod 700 "$STATE" || { log "cannot create $STATE"; exit 1; }
[ "$(id -u)" = 0 ] && chown "$ROLE" "$STATE"
PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
as sh -c "umask 077 && printf '%s\n' '$PASSWORD' > '$STATE/pwfile'"
if ! as "$BIN/initdb" -D "$STATE/data" -U "$ROLE" --pwfile="$STATE/pwfile" -A scram-sha-256 \
  -E UTF8 --locale=C --no-sync --no-instructions >"$STATE/initdb.log" 2>&1; then
  tail -n 20 "$STATE/initdb.log" >&2
  log "initdb failed"
  exit 1
fi
rm -f "$STATE/pwfile"
mkdir -p "$STATE/sock" && [ "$(id -u)" = 0 ] && chown "$ROLE" "$STATE/sock"

# 5. A free loopback port.
port=
for p in $(seq "$BASE_PORT" $((BASE_PORT + 9))); do
  if ! answers "$p"; then port=$p; break; fi
done
[ -n "$port" ] || { log "ports $BASE_PORT-$((BASE_PORT + 9)) are all taken"; exit 1; }

# 6. Start (pg_ctl -w waits until it accepts connections) and create the database.
mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null)
buffers_mb=$(( ${mem_mb:-512} / 4 ))
[ "$buffers_mb" -lt 128 ] && buffers_mb=128
[ "$buffers_mb" -gt 4096 ] && buffers_mb=4096
SETTINGS="-c shared_buffers=${buffers_mb}MB -c max_wal_size=2GB -c checkpoint_timeout=15min"
if [ "${TOUCHPOINT_POSTGRES_HUGE_PAGES:-try}" = off ]; then
  SETTINGS="$SETTINGS -c huge_pages=off"
else
  reserve_hugepages "$buffers_mb"
fi
if ! as "$BIN/pg_ctl" -D "$STATE/data" -l "$STATE/postgres.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $STATE/sock $SETTINGS" start >/dev/null 2>&1; then
  tail -n 20 "$STATE/postgres.log" >&2
  log "the cluster did not start on 127.0.0.1:$port"
  exit 1
fi
if ! PGPASSWORD=$PASSWORD as "$BIN/createdb" -h 127.0.0.1 -p "$port" -U "$ROLE" "$DB" >&2; then
  log "createdb $DB failed"
  as "$BIN/pg_ctl" -D "$STATE/data" -m fast stop >/dev/null 2>&1
  exit 1
fi
url="postgres://$ROLE:$PASSWORD@127.0.0.1:$port/$DB?sslmode=disable"
echo "$url" >"$STATE/url" && chmod 600 "$STATE/url"
echo "$port" >"$STATE/port"
log "$("$BIN/postgres" --version) on 127.0.0.1:$port (data in $STATE/data, owner $(stat -c %U "$STATE/data"), shared_buffers ${buffers_mb}MB)"
print_env "$url" 1

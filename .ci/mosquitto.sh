#!/usr/bin/env bash
# Starts Debian's mosquitto on loopback for the MQTT interoperability test
# (transport/mqtttransport: TestMosquittoInterop) and writes .ci/mosquitto.env:
#
#   export TOUCHPOINT_MOSQUITTO_ADDR=127.0.0.1:18830
#
# Use from .ci/run:
#
#   bash .ci/mosquitto.sh && . .ci/mosquitto.env
#
# - Installs the mosquitto package with apt-get when it is missing (needs
#   root; apt-get update first). Any failure exits non-zero without writing
#   the env file, and the test then skips, saying why.
# - Listens on 127.0.0.1 only, anonymous clients allowed, no persistence.
#   Port: $TOUCHPOINT_MOSQUITTO_PORT, default 18830; if something else holds
#   it, the next free port up to +9.
# - Idempotent and fast: a broker this script started that still answers is
#   reused (only the env file is rewritten).
# - `bash .ci/mosquitto.sh stop` stops the broker this script started.
# - The env file also sets TOUCHPOINT_MOSQUITTO_STARTED=1 when this call
#   started the broker (not when it reused one): only then should the caller
#   stop it, or one run could stop the broker another run is using.
set -uo pipefail
cd "$(dirname "$0")/.."
ENV_FILE=.ci/mosquitto.env
STATE=${TOUCHPOINT_MOSQUITTO_STATE:-/tmp/touchpoint-mosquitto}
BASE_PORT=${TOUCHPOINT_MOSQUITTO_PORT:-18830}

log() { echo "mosquitto.sh: $*"; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running_pid() {
  local pid
  pid=$(cat "$STATE/pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q mosquitto "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

if [ "${1:-}" = stop ]; then
  if pid=$(running_pid); then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    log "stopped pid $pid"
  else
    log "not running"
  fi
  rm -f "$ENV_FILE"
  exit 0
fi

rm -f "$ENV_FILE"
mkdir -p "$STATE"

# 1. Reuse a broker this script started.
if pid=$(running_pid) && port=$(cat "$STATE/port" 2>/dev/null) && answers "$port"; then
  echo "export TOUCHPOINT_MOSQUITTO_ADDR=127.0.0.1:$port" >"$ENV_FILE"
  log "reusing pid $pid on 127.0.0.1:$port"
  exit 0
fi

# 2. Install when missing.
BIN=$(command -v mosquitto || true)
[ -z "$BIN" ] && [ -x /usr/sbin/mosquitto ] && BIN=/usr/sbin/mosquitto
if [ -z "$BIN" ]; then
  if [ "$(id -u)" != 0 ]; then
    log "mosquitto is not installed and this is not root: cannot apt-get install it"
    exit 1
  fi
  log "installing mosquitto with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends mosquitto; } >"$STATE/apt.log" 2>&1; then
    tail -n 20 "$STATE/apt.log"
    log "apt-get install mosquitto failed"
    exit 1
  fi
  BIN=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  [ -x "$BIN" ] || { log "mosquitto installed but not found"; exit 1; }
fi

# 3. Pick a free loopback port.
port=
for p in $(seq "$BASE_PORT" $((BASE_PORT + 9))); do
  if ! answers "$p"; then port=$p; break; fi
done
[ -n "$port" ] || { log "ports $BASE_PORT-$((BASE_PORT + 9)) are all taken"; exit 1; }

# 4. Start it in the background, detached from this shell's output.
cat >"$STATE/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
log_type error
log_type warning
CONF
setsid "$BIN" -c "$STATE/mosquitto.conf" </dev/null >"$STATE/mosquitto.log" 2>&1 &
echo $! >"$STATE/pid"
echo "$port" >"$STATE/port"

# 5. Wait until it answers (at most 10 s).
for _ in $(seq 100); do
  if answers "$port"; then
    printf 'export TOUCHPOINT_MOSQUITTO_ADDR=127.0.0.1:%s\nexport TOUCHPOINT_MOSQUITTO_STARTED=1\n' "$port" >"$ENV_FILE"
    log "$("$BIN" -h 2>/dev/null | head -n 1) listening on 127.0.0.1:$port (pid $(cat "$STATE/pid"))"
    exit 0
  fi
  if ! kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then break; fi
  sleep 0.1
done
cat "$STATE/mosquitto.log"
log "mosquitto did not start on 127.0.0.1:$port"
exit 1

#!/usr/bin/env bash
# Finds Debian's chromium for the inspector's browser test
# (inspect/browsertest: TestPagesInChromium), installing it with apt-get
# when it is missing, and prints its path on stdout (messages go to
# stderr). Use from .ci/run:
#
#   TOUCHPOINT_CHROMIUM=$(bash .ci/chromium.sh) && export TOUCHPOINT_CHROMIUM
#
# Installing needs root (apt-get update first). Any failure exits non-zero
# and prints no path; the test then skips, saying why.
set -uo pipefail
log() { echo "chromium.sh: $*" >&2; }

find_bin() { command -v chromium || command -v chromium-browser || true; }

BIN=$(find_bin)
if [ -z "$BIN" ]; then
  if [ "$(id -u)" != 0 ]; then
    log "chromium is not installed and this is not root: cannot apt-get install it"
    exit 1
  fi
  log "installing chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  APTLOG=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq chromium; } >"$APTLOG" 2>&1; then
    tail -n 20 "$APTLOG" >&2
    log "apt-get install chromium failed"
    exit 1
  fi
  BIN=$(find_bin)
  [ -n "$BIN" ] || { log "chromium installed but not found"; exit 1; }
fi
log "$("$BIN" --version 2>/dev/null | tail -n 1) at $BIN"
echo "$BIN"

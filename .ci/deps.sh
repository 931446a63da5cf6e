#!/usr/bin/env bash
# The core module may require only the standard library, google/uuid,
# cenkalti/backoff/v4 (inside internal/retry only), golang.org/x/sync and
# github.com/klauspost/compress (gzip and zstd request bodies) in
# library code, plus testify and goleak in tests. Kafka, NATS and MQTT
# clients live in their own modules.
set -euo pipefail
cd "$(dirname "$0")/.."
MOD=github.com/touchpoint-sdk/touchpoint
export GOWORK=off
status=0

lib_allowed='^(github.com/google/uuid|github.com/cenkalti/backoff/v4|golang.org/x/sync|github.com/klauspost/compress)(/|$)'
test_allowed='^(github.com/stretchr/testify|go.uber.org/goleak|github.com/davecgh/go-spew|github.com/pmezard/go-difflib|gopkg.in/yaml.v3)(/|$)'

# 1. Direct requirements in go.mod.
while read -r path; do
  [ -z "$path" ] && continue
  if ! [[ "$path" =~ $lib_allowed || "$path" =~ $test_allowed ]]; then
    echo "go.mod requires $path, which is not on the core allow-list"; status=1
  fi
done < <(go mod edit -json | go run ./internal/cmd/modreqs)

# 2. What library code (non-test) imports.
while read -r pkg; do
  [[ "$pkg" == "$MOD" || "$pkg" == "$MOD/"* ]] && continue
  if ! [[ "$pkg" =~ $lib_allowed ]]; then
    echo "library code depends on $pkg (not allowed outside tests)"; status=1
  fi
done < <(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./...)

# 3. What tests import.
while read -r pkg; do
  # The root package's test binary and external test package (touchpoint.test,
  # touchpoint_test) are the module's own.
  [[ "$pkg" == "$MOD" || "$pkg" == "$MOD/"* || "$pkg" == "$MOD.test" || "$pkg" == "${MOD}_test" ]] && continue
  if ! [[ "$pkg" =~ $lib_allowed || "$pkg" =~ $test_allowed ]]; then
    echo "tests depend on $pkg (not on the allow-list)"; status=1
  fi
done < <(go list -test -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./... | sed 's/ \[.*//' | sort -u)

# 4. backoff/v4 only inside internal/retry.
while read -r line; do
  pkg=${line%% *}
  if [[ "$line" == *github.com/cenkalti/backoff/v4* && "$pkg" != "$MOD/internal/retry" ]]; then
    echo "$pkg imports backoff/v4 directly; use internal/retry"; status=1
  fi
done < <(go list -f '{{.ImportPath}} {{join .Imports " "}}' ./...)

[ $status -eq 0 ] && echo "core dependencies OK"
exit $status

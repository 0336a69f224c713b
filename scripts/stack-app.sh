#!/usr/bin/env bash
# The CDKTF app that cdktf.json runs: bin/terrax-stack, built from
# stack/cmd/terrax, rebuilt only when a Go source of stack/ or go.mod/go.sum
# is newer than it. A prebuilt binary starts at once where `go run` would
# compile and link at each synth (and download modules on a first run).
set -euo pipefail
cd "$(dirname "$0")/.."
app=bin/terrax-stack
if [ ! -x "$app" ] || [ -n "$(find stack go.mod go.sum \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -newer "$app" -print -quit)" ]; then
  mkdir -p bin
  go build -o "$app" ./stack/cmd/terrax
fi
exec "$app" "$@"

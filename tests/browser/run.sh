#!/usr/bin/env bash
# tests/browser/run.sh ALTSCRIBE SEED_DESCRIPTION MODEL_DIR OUT_DIR — the browser test of
# `altscribe serve`: starts the server with the tiny model on a free loopback port and a state
# store holding an injection-laden full description, then drives Debian's headless Chromium with
# playwright-core (page_test.mjs). Writes OUT_DIR/serve-page.png. Run by CTest (browser_page).
set -euo pipefail
altscribe=$1 seed=$2 model_dir=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
chromium=${ALTSCRIBE_CHROMIUM:-$(command -v chromium || true)}
[ -x "$chromium" ] || { echo "browser test: Debian's chromium is needed (scripts/setup installs it)" >&2; exit 1; }
modules=$(bash "$here/install.sh")/node_modules
mkdir -p "$out"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

id=$("$seed" "$work/state.db")
unset ALTSCRIBE_SERVE_TOKEN ALTSCRIBE_SERVE_TOKEN_FILE
"$altscribe" serve --listen 127.0.0.1:0 --model "$model_dir/model.gguf" \
  --mmproj "$model_dir/mmproj.gguf" --max-tokens 24 --threads 2 --state "$work/state.db" \
  >"$work/serve.log" 2>&1 &
server_pid=$!
base=""
for _ in $(seq 1 300); do
  base=$(grep -o 'listening on http://[0-9.:]*' "$work/serve.log" | head -1 | sed 's/listening on //') || true
  if [ -n "$base" ] && grep -q "ready" "$work/serve.log"; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "ready" "$work/serve.log" || { echo "browser test: the server did not become ready" >&2; cat "$work/serve.log" >&2; exit 1; }

node "$here/page_test.mjs" --base "$base" --modules "$modules" --chromium "$chromium" \
  --png "$here/../../testdata/images/bar_chart.png" --description "$id" --out "$out"

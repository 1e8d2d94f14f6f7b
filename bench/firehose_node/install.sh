#!/usr/bin/env bash
# bench/firehose_node/install.sh — installs the Node reference of bench/firehose once, outside the
# checkout, and prints its directory:
#   ${ALTSCRIBE_CACHE:-~/.cache/altscribe}/firehose-node-<key>/   package.json, lock, node_modules/,
#   reference.mjs, record.mjs (copied in, so that node resolves the packages from here)
# The key covers package.json and package-lock.json (npm ci installs exactly the lock). Node 22
# comes from the local network's toolchain (tests/e2e/devnet/install.sh, run if needed). Safe to
# run concurrently (a lock serialises installs into the same directory).
# Prints the directory on stdout; the Node binary is <dir>/node.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../../tests/e2e/devnet/common.sh"
[ -f "$devnet_tool_dir/.complete" ] || bash "$devnet_here/install.sh" >/dev/null
devnet_use_node

key=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-12)
dir=$devnet_cache_root/firehose-node-$key
copy_scripts() {
  cp "$here/reference.mjs" "$here/record.mjs" "$dir/"
  ln -sfn "$devnet_node_dir/bin/node" "$dir/node"
}
if [ -f "$dir/.complete" ]; then copy_scripts; echo "$dir"; exit 0; fi

command -v npm >/dev/null || devnet_die "npm is needed to install the Node reference (apt-get install npm)"
mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9
if [ ! -f "$dir/.complete" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$dir/"
  rm -rf "$dir/node_modules"
  echo "[firehose-node] npm ci @atproto/sync into $dir (once)" >&2
  (cd "$dir" && nice npm ci --no-audit --no-fund --loglevel=warn >"$dir/npm-install.log" 2>&1) || {
    tail -20 "$dir/npm-install.log" >&2
    devnet_die "npm ci failed; full log in $dir/npm-install.log"
  }
  touch "$dir/.complete"
fi
copy_scripts
echo "$dir"

#!/usr/bin/env bash
# tests/support/install_s3rver.sh — installs the S3 test server s3rver once, outside the checkout:
#   ${ALTSCRIBE_CACHE:-~/.cache/altscribe}/s3rver-<key>/node_modules/.bin/s3rver
# The key covers the version, so a second run takes milliseconds. Prints the directory on stdout.
# (s3rver checks the access key but not SigV4 signatures: tests that must catch signing bugs use
# Swift's S3 layer too; see s3_servers.h.)
set -euo pipefail
S3RVER=s3rver@3.7.1
cache=${ALTSCRIBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/altscribe}
key=$(printf '%s\n' "$S3RVER" | sha256sum | cut -c1-12)
dir="$cache/s3rver-$key"
[ -f "$dir/.complete" ] && { echo "$dir"; exit 0; }
command -v npm >/dev/null || { echo "install_s3rver.sh: npm is needed (apt-get install npm)" >&2; exit 1; }
mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9
[ -f "$dir/.complete" ] && { echo "$dir"; exit 0; }
echo '{"name":"altscribe-s3-test","private":true}' >"$dir/package.json"
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error --save-exact "$S3RVER" \
  >"$dir/npm-install.log" 2>&1) || {
  tail -20 "$dir/npm-install.log" >&2
  echo "install_s3rver.sh: npm install failed; full log in $dir/npm-install.log" >&2
  exit 1
}
touch "$dir/.complete"
echo "$dir"

#!/usr/bin/env bash
# tests/browser/install.sh — installs the browser test's npm packages once, outside the checkout:
#   ${ALTSCRIBE_CACHE:-~/.cache/altscribe}/browser-<key>/node_modules/{playwright-core,axe-core}
# The key covers the package versions, so a second run takes milliseconds. The browser itself is
# Debian's chromium (scripts/setup installs it); playwright-core downloads no browser.
# Prints the directory on stdout.
set -euo pipefail
PLAYWRIGHT_CORE=playwright-core@1.65.1
AXE_CORE=axe-core@4.14.1
cache=${ALTSCRIBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/altscribe}
key=$(printf '%s\n' "$PLAYWRIGHT_CORE" "$AXE_CORE" | sha256sum | cut -c1-12)
dir="$cache/browser-$key"
[ -f "$dir/.complete" ] && { echo "$dir"; exit 0; }
command -v npm >/dev/null || { echo "tests/browser/install.sh: npm is needed (apt-get install npm)" >&2; exit 1; }
mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9
[ -f "$dir/.complete" ] && { echo "$dir"; exit 0; }
echo '{"name":"altscribe-browser-test","private":true}' >"$dir/package.json"
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error --save-exact \
  "$PLAYWRIGHT_CORE" "$AXE_CORE" >"$dir/npm-install.log" 2>&1) || {
  tail -20 "$dir/npm-install.log" >&2
  echo "tests/browser/install.sh: npm install failed; full log in $dir/npm-install.log" >&2
  exit 1
}
touch "$dir/.complete"
echo "$dir"

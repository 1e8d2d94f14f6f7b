#!/usr/bin/env bash
# bench/firehose.sh BUILD_DIR [--rerecord] [-- BENCH OPTIONS] — bench/firehose end to end:
#   1. the Node reference (bench/firehose_node/install.sh, once, into the cache);
#   2. a corpus of real frames from the local network, recorded once into
#      ${ALTSCRIBE_CACHE:-~/.cache/altscribe}/firehose-corpus/devnet.frames (+ .json) by
#      record.mjs while it makes the network busy (the network is started with
#      tests/e2e/devnet/up.sh, or reused if it is up; this script never stops it);
#      --rerecord records it again;
#   3. BUILD_DIR/bench/firehose on that corpus and on a synthetic one (written beside it), with
#      the Node reference on both. Extra options after -- go to the bench (--seconds S ...).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(realpath -m "${1:?usage: bench/firehose.sh BUILD_DIR [--rerecord] [-- BENCH OPTIONS]}")
shift
rerecord=0
while [ $# -gt 0 ]; do
  case $1 in
    --rerecord) rerecord=1; shift ;;
    --) shift; break ;;
    *) echo "bench/firehose.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
[ -x "$build/bench/firehose" ] || ninja -C "$build" -j1 bench_firehose
node_dir=$(bash "$here/firehose_node/install.sh")
corpus_dir=${ALTSCRIBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/altscribe}/firehose-corpus
mkdir -p "$corpus_dir"
corpus=$corpus_dir/devnet.frames
if [ "$rerecord" = 1 ] || [ ! -s "$corpus.json" ]; then
  network=$(bash "$root/tests/e2e/devnet/up.sh" "$build" | tail -1)
  "$node_dir/node" "$node_dir/record.mjs" --network "$network" --out "$corpus" \
    --rounds "${ALTSCRIBE_FIREHOSE_ROUNDS:-25}" --image "$root/testdata/images/house.jpg"
fi
exec "$build/bench/firehose" --corpus "$corpus" --synthetic-out "$corpus_dir/synthetic.frames" \
  --node "$node_dir" "$@"

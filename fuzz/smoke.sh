#!/usr/bin/env bash
# fuzz/smoke.sh BUILD_DIR [SECONDS] — the bounded fuzz run CI does (CTest's fuzz_smoke): builds
# the three libFuzzer targets with clang under ASan + UBSan into BUILD_DIR (configured once from
# fuzz/ alone, then incremental), writes the seed inputs, and runs each target for SECONDS
# (default $ALTSCRIBE_FUZZ_SECONDS, else 20) from the seeds plus the corpus it keeps in
# BUILD_DIR/corpus/<target> between runs. Fails (exit 1) on the first crash, leak, sanitizer
# report or timeout, leaving the input as BUILD_DIR/artifacts/<target>/crash-*; longer runs by
# hand: fuzz/README.md.
set -euo pipefail
build=${1:?usage: fuzz/smoke.sh BUILD_DIR [SECONDS]}
secs=${2:-${ALTSCRIBE_FUZZ_SECONDS:-20}}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { printf '[fuzz_smoke] %s\n' "$*"; }

command -v clang++ >/dev/null || { log "error: clang++ not found (scripts/setup installs clang)"; exit 1; }
if [ ! -f "$build/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "${launcher[@]}" >"$build.configure.log" 2>&1 ||
    { tail -20 "$build.configure.log"; log "error: configuring $build failed"; exit 1; }
fi
start=$SECONDS
ninja -C "$build" -j"${ALTSCRIBE_FUZZ_JOBS:-2}" cbor_fuzz car_fuzz frame_fuzz make_fuzz_seeds >"$build/ninja.log" 2>&1 ||
  { tail -30 "$build/ninja.log"; log "error: building the fuzz targets failed"; exit 1; }
log "targets built in $((SECONDS - start)) s"
rm -rf "$build/seeds"
"$build/make_fuzz_seeds" "$build/seeds"

status=0
for t in cbor car frame; do
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: a 4-GB allocation is a bug
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/${t}_fuzz" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" \
    "$build/corpus/$t" "$build/seeds/$t" >"$build/$t.log" 2>&1; then
    log "$t: $(grep -m1 'stat::number_of_executed_units' "$build/$t.log" | awk '{print $2}') runs in ${secs} s, corpus $(ls "$build/corpus/$t" | wc -l) inputs, no crash"
  else
    status=1
    grep -E 'ERROR|SUMMARY|runtime error|crash-|Test unit written' "$build/$t.log" | head -20
    log "$t: FAILED (full log: $build/$t.log; reproduce: $build/${t}_fuzz <the crash file>)"
  fi
done
exit $status

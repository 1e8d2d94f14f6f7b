#!/usr/bin/env bash
# bench/gpu.sh — issue 6's benchmark in one run, on one card: (a) the HF transformers anchor,
# (b) llama.cpp's own llama-mtmd-cli, one process per image, and (c) altscribe single-stream and
# batched with K = 1, 8, 32, 64 (bench/batch); 128 new tokens, EOS ignored, one 336x336 image
# each. Prints one table (seconds per image, images/s, tokens/s, ratios to (a) and (b)) and writes
# everything as JSON to $OUT/gpu_bench.json; then, if the run is under F16_BEFORE_S (420) seconds,
# (c) once more with F16 text weights (preset llava15-7b-f16; its own table, and "altscribe_f16"
# in the JSON).
#
#   bench/gpu.sh --prepare   on this machine (scripts/setup done): fills the git-ignored gpu/
#                            with a llama.cpp source subset (with common/ and a tools/ list that
#                            holds only mtmd, for llama-mtmd-cli), nlohmann/json's headers and
#                            the HF anchor script; well under 64 MiB
#   bench/gpu.sh             on the GPU machine, carrying "gpu": builds llama.cpp (libraries and
#                            llama-mtmd-cli) with CUDA for sm_90, then bench/gpu/CMakeLists.txt
#                            (bench/batch and make_model, standalone: llama.cpp and nlohmann/json
#                            only), makes the llava15-7b-shaped model, runs (a), (b) and (c).
#                            CUDA=0 PRESET=tiny F16_BEFORE_S=0 rehearses this whole path on a CPU
#   bench/gpu.sh --cpu-tiny  the same measurements on this CPU with the tiny model, against the
#                            llama.cpp a finished build uses (BUILD_DIR, default build): the
#                            standalone bench build too, K = 1, 4, few images, (a) skipped; a
#                            CTest test (bench_gpu_cpu_tiny)
# Environment: OUT (results; default a temporary directory), BUILD_DIR, MTMD_CLI (path to
# llama-mtmd-cli; default: beside the llama.cpp build altscribe was configured with), KS, IMAGES,
# CUDA, PRESET, F16_BEFORE_S.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=gpu
case "${1:-}" in
  --prepare) exec bash bench/gpu/prepare.sh ;;
  --cpu-tiny) mode=cpu ;;
  "") ;;
  *) echo "usage: bench/gpu.sh [--prepare | --cpu-tiny]" >&2; exit 2 ;;
esac
T0=$SECONDS
say() { echo "[$((SECONDS - T0))s] $*"; }
die() { echo "bench/gpu.sh: error: $*" >&2; exit 1; }
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tokens=128

if [ "$mode" = gpu ]; then
  export PATH=/usr/local/cuda/bin:$PATH
  say "gpu: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1) cores=$(nproc)"
  cuda_flags=(-DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCH:-90} -DGGML_CUDA_FA_ALL_QUANTS=OFF)
  [ "${CUDA:-1}" = 1 ] || cuda_flags=(-DGGML_CUDA=OFF)
  [ -d gpu/llama.cpp/ggml ] || die "gpu/llama.cpp is missing: run bench/gpu.sh --prepare here and carry \"gpu\""
  say "building llama.cpp (${cuda_flags[0]}; libraries + llama-mtmd-cli)"
  lb=/tmp/llama-cuda prefix=/tmp/llama-prefix
  cmake -S gpu/llama.cpp -B $lb -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
    -DGGML_NATIVE=ON -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_COMMON=ON -DLLAMA_BUILD_TOOLS=ON \
    -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
    -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DMTMD_VIDEO=OFF \
    "${cuda_flags[@]}" >"$OUT/llama_configure.log" 2>&1 || { tail -20 "$OUT/llama_configure.log"; die "configuring llama.cpp failed"; }
  cmake --build $lb -j "$(nproc)" --target llama ggml mtmd llama-mtmd-cli >"$OUT/llama_build.log" 2>&1 ||
    { grep -m5 -B2 -A8 "error" "$OUT/llama_build.log"; die "building llama.cpp failed"; }
  rm -rf $prefix && mkdir -p $prefix/include $prefix/lib $prefix/bin
  s=gpu/llama.cpp
  cp $s/include/llama.h $s/include/llama-cpp.h $s/ggml/include/*.h $s/tools/mtmd/mtmd.h \
    $s/tools/mtmd/mtmd-helper.h $prefix/include/
  find $lb/bin -maxdepth 1 -name '*.so*' -exec cp -P {} $prefix/lib/ \;
  cp $lb/bin/llama-mtmd-cli $prefix/bin/
  echo v0.4.0 >$prefix/VERSION
  GB=/tmp/gpu-bench
  MTMD_CLI=$prefix/bin/llama-mtmd-cli
  export LD_LIBRARY_PATH=$prefix/lib:${LD_LIBRARY_PATH:-}
  KS=${KS:-1,8,32,64}
  preset=${PRESET:-llava15-7b} cli_runs=3 single=5 threads=$(nproc)
else
  BUILD_DIR=${BUILD_DIR:-build}
  prefix=$(sed -n 's/^ALTSCRIBE_LLAMA_PREFIX:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null)
  [ -n "$prefix" ] || die "$BUILD_DIR is not a configured altscribe build (run scripts/setup)"
  if [ -z "${MTMD_CLI:-}" ]; then
    for c in "$prefix/bin/llama-mtmd-cli" "$prefix/../build/bin/llama-mtmd-cli"; do
      [ -x "$c" ] && MTMD_CLI=$c && break
    done
  fi
  GB=$BUILD_DIR/gpu-bench
  KS=${KS:-1,4}
  preset=tiny cli_runs=2 single=3 threads=2
fi

# The benchmark and the model writer, built standalone against that llama.cpp (bench/gpu/
# CMakeLists.txt: nothing but llama.cpp, Threads and nlohmann_json), as on the GPU machine.
say "building bench/gpu (bench/batch, make_model) against $prefix"
cmake -S bench/gpu -B "$GB" -G Ninja -DALTSCRIBE_LLAMA_PREFIX="$prefix" >"$OUT/bench_configure.log" 2>&1 ||
  { tail -20 "$OUT/bench_configure.log"; die "configuring bench/gpu failed"; }
cmake --build "$GB" -j "$(nproc)" >"$OUT/bench_build.log" 2>&1 ||
  { grep -m5 -B2 -A8 "error" "$OUT/bench_build.log"; die "building bench/gpu failed"; }

say "making the $preset model"
"$GB/make_model" $preset "$work/model" || die "make_model $preset failed"
M=$work/model/model.gguf P=$work/model/mmproj.gguf

# (c) altscribe: single-stream and batched, one process, the same model and picture.
say "(c) altscribe single-stream and batched, K = $KS"
"$GB/batch" --model "$M" --mmproj "$P" --k "$KS" --single $single \
  ${IMAGES:+--per-k-images $IMAGES} --max-tokens $tokens --side 336 --threads $threads \
  --json "$OUT/batch.json" --write-image "$work/image.ppm" | tee "$OUT/batch.txt"
[ "${PIPESTATUS[0]}" = 0 ] || die "bench/batch failed"

# (b) llama-mtmd-cli, one process per image: encode + prompt eval + eval from its own timings.
echo '{"runs": []}' >"$OUT/mtmd_cli.json"
if [ -n "${MTMD_CLI:-}" ] && [ -x "$MTMD_CLI" ]; then
  say "(b) llama-mtmd-cli, $cli_runs runs"
  for i in $(seq "$cli_runs"); do
    log=$OUT/mtmd_cli_$i.log
    t=$SECONDS
    "$MTMD_CLI" -m "$M" --mmproj "$P" --image "$work/image.ppm" -n $tokens --ignore-eos --temp 0 --perf -v \
      -t $threads -c 4096 -ngl 999 --chat-template vicuna -p "Describe this image for someone who cannot see it." \
      >"$log" 2>&1 </dev/null || { tail -5 "$log"; die "llama-mtmd-cli failed (log $log)"; }
    enc=$(grep -o 'encod[a-z ]* done in [0-9]* ms' "$log" | awk '{s+=$(NF-1)} END {print s+0}')
    pe=$(sed -n 's/.*prompt eval time = *\([0-9.]*\) ms \/ *\([0-9]*\) tokens.*/\1 \2/p' "$log")
    ev=$(sed -n '/prompt eval/!s/.* eval time = *\([0-9.]*\) ms \/ *\([0-9]*\) runs.*/\1 \2/p' "$log")
    python3 - "$OUT/mtmd_cli.json" "$enc" "$pe" "$ev" "$((SECONDS - t))" <<'EOF'
import json, sys
path, enc, pe, ev, wall = sys.argv[1:]
d = json.load(open(path))
pe_ms, pe_tok = (float(x) for x in pe.split()) if pe else (0, 0)
ev_ms, ev_runs = (float(x) for x in ev.split()) if ev else (0, 0)
d["runs"].append({"encode_ms": float(enc), "prompt_eval_ms": pe_ms, "prompt_tokens": pe_tok,
                  "eval_ms": ev_ms, "eval_runs": ev_runs, "process_wall_s": float(wall),
                  "s_per_image": (float(enc) + pe_ms + ev_ms) / 1000})
json.dump(d, open(path, "w"), indent=1)
EOF
  done
else
  say "(b) skipped: no llama-mtmd-cli (set MTMD_CLI)"
fi

# (a) HF transformers anchor (LLaVA-1.5-7B shape, fp16, CUDA only).
if [ "$mode" = cpu ]; then
  say "(a) skipped: the transformers anchor is a 7B fp16 model on CUDA (GPU run only)"
elif [ ! -f gpu/hf_llava_anchor.py ]; then
  say "(a) skipped: gpu/hf_llava_anchor.py is missing (bench/gpu.sh --prepare copies it)"
elif ! python3 -c "import torch, transformers" 2>/dev/null; then
  say "(a) skipped: python3 has no torch/transformers on this machine"
else
  say "(a) HF transformers anchor"
  (cd gpu && OUT=$OUT timeout 240 python3 hf_llava_anchor.py >"$OUT/hf_anchor.log" 2>&1) ||
    { tail -5 "$OUT/hf_anchor.log"; say "(a) failed; see hf_anchor.log"; }
fi

say "table"
python3 - "$OUT" "$mode" "$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)" <<'EOF'
import json, os, statistics, sys
out, mode, card = sys.argv[1], sys.argv[2], sys.argv[3] or "CPU"
c = json.load(open(os.path.join(out, "batch.json")))
b = json.load(open(os.path.join(out, "mtmd_cli.json")))
a_path = os.path.join(out, "hf_llava_anchor.json")
a = json.load(open(a_path)) if os.path.exists(a_path) else None
tok = c["max_tokens"]
rows = []  # name, s/image, images/s, tokens/s, anchor (a) images/s to compare with
a1 = a and 1 / a["img_bs1_128tok_s"]
a32 = a and a["images_per_s_bs32"]
if a:
    rows.append(("(a) transformers bs1", a["img_bs1_128tok_s"], a1, tok * a1, None))
    rows.append(("(a) transformers bs32", 1 / a32, a32, tok * a32, None))
b_s = statistics.median(r["s_per_image"] for r in b["runs"]) if b["runs"] else None
if b_s:
    rows.append(("(b) llama-mtmd-cli", b_s, 1 / b_s, tok / b_s, None))
s = c["single"]
rows.append(("(c) altscribe single", s["s_per_image"], s["images_per_s"], s["tokens_per_s"], a1))
for r in c["batched"]:
    if "error" in r:
        rows.append((f"(c) batched K={r['k']}: {r['error']}", None, None, None, None))
        continue
    rows.append((f"(c) batched K={r['k']}", r["s_per_image"], r["images_per_s"], r["tokens_per_s"],
                 a1 if r["k"] == 1 else a32))
print(f"\n{card}, {c['model_name']}, {tok} new tokens (EOS ignored), one 336x336 image each")
print(f"{'engine':<26}{'s/image':>9}{'images/s':>10}{'tokens/s':>10}{'x (a)':>8}{'x (b)':>8}")
table = []
for name, spi, ips, tps, anchor in rows:
    if spi is None:
        print(name); continue
    xa = f"{ips / anchor:.1f}" if anchor else "-"
    xb = f"{ips * b_s:.2f}" if b_s and name.startswith("(c)") else "-"
    print(f"{name:<26}{spi:>9.3f}{ips:>10.2f}{tps:>10.1f}{xa:>8}{xb:>8}")
    table.append({"engine": name, "s_per_image": spi, "images_per_s": ips, "tokens_per_s": tps,
                  "x_a": ips / anchor if anchor else None, "x_b": ips * b_s if b_s else None})
print("x (a): images/s over transformers bs1 (single-stream, K=1) or bs32 (K>1); "
      "x (b): images/s over llama-mtmd-cli" + ("" if a else "; (a) not run"))
json.dump({"card": card, "mode": mode, "table": table, "altscribe": c, "mtmd_cli": b, "hf": a},
          open(os.path.join(out, "gpu_bench.json"), "w"), indent=1)
bad = [r for r in c["batched"] if "error" in r]
sys.exit(f"bench/gpu.sh: error: {len(bad)} batched run(s) failed" if bad else 0)
EOF
[ $? = 0 ] || exit 1

# (c) again with F16 text weights (the anchor's precision; long prefills take cuBLAS's half-
# precision GEMM instead of the quantized kernels), when the run has time left for it.
if [ "$mode" = gpu ] && [ $((SECONDS - T0)) -lt "${F16_BEFORE_S:-420}" ]; then
  say "(c) again with F16 text weights (llava15-7b-f16), K = 1,32,64"
  rm -rf "$work/model"
  if "$GB/make_model" llava15-7b-f16 "$work/f16"; then
    "$GB/batch" --model "$work/f16/model.gguf" --mmproj "$work/f16/mmproj.gguf" \
      --k 1,32,64 --single 3 --max-tokens $tokens --side 336 --threads $threads \
      --json "$OUT/batch_f16.json" | tee "$OUT/batch_f16.txt"
    python3 - "$OUT" <<'EOF2'
import json, os, sys
out = sys.argv[1]
g = json.load(open(os.path.join(out, "gpu_bench.json")))
f = os.path.join(out, "batch_f16.json")
if os.path.exists(f):
    g["altscribe_f16"] = json.load(open(f))
    json.dump(g, open(os.path.join(out, "gpu_bench.json"), "w"), indent=1)
EOF2
  else
    say "(c) F16: making the model failed"
  fi
elif [ "$mode" = gpu ]; then
  say "(c) F16 skipped: $((SECONDS - T0)) s used (F16_BEFORE_S=${F16_BEFORE_S:-420})"
fi
say "done: $OUT/gpu_bench.json"

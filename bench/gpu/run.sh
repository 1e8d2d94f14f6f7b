#!/usr/bin/env bash
# bench/gpu/run.sh — one GPU session (after bench/gpu/prepare.sh, carrying "gpu"): CUDA build of
# llama.cpp (libraries) and altscribe, a LLaVA-1.5-7B-shaped model, bench/describe on it (128
# tokens, EOS ignored), then the HF transformers anchor when ANCHOR=1. About 5 minutes on 16
# cores for the first build; results land in $OUT.
set -uo pipefail
export PATH=/usr/local/cuda/bin:$PATH
T0=$SECONDS
say() { echo "[$((SECONDS - T0))s] $*"; }
say "gpu: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader) cores=$(nproc)"
need=()
for p in libcurl4-openssl-dev libgif-dev libwebp-dev nlohmann-json3-dev libjpeg62-turbo-dev libpng-dev libgtest-dev libssl-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
say "missing packages: ${need[*]:-none}"
if ((${#need[@]})) && grep -q "^12" /etc/debian_version 2>/dev/null; then dpkg -i --force-depends gpu/debs/*.deb >/dev/null 2>&1; say "dpkg -i rc=$?"; fi
for c in cmake ninja g++ nvcc python3; do say "$c: $(command -v $c || echo MISSING)"; done
# Not Debian 12 (the GPU image is Ubuntu): unpack the carried GIF/WebP dev packages into a
# private root and point CMake and pkg-config at it.
if ! grep -q "^12" /etc/debian_version 2>/dev/null; then
  mkdir -p /tmp/debroot
  for f in gpu/debs/*.deb; do dpkg -x "$f" /tmp/debroot; done
  export PKG_CONFIG_PATH=/tmp/debroot/usr/lib/x86_64-linux-gnu/pkgconfig PKG_CONFIG_SYSROOT_DIR=/tmp/debroot
  export ALTSCRIBE_CMAKE_ARGS="-DCMAKE_PREFIX_PATH=/tmp/debroot/usr -DGIF_INCLUDE_DIR=/tmp/debroot/usr/include -DGIF_LIBRARY=/tmp/debroot/usr/lib/x86_64-linux-gnu/libgif.so -DICU_ROOT=/tmp/debroot/usr"
  export LD_LIBRARY_PATH=/tmp/debroot/usr/lib/x86_64-linux-gnu
fi
export ALTSCRIBE_CACHE=/tmp/asc-cache LLAMA_CPP_DIR=$PWD/gpu/llama.cpp ALTSCRIBE_CUDA=1 \
  ALTSCRIBE_LLAMA_SERVER=0 ALTSCRIBE_SKIP_APT=1 ALTSCRIBE_DEVNET=0 BUILD_DIR=build-gpu JOBS=16 \
  ALTSCRIBE_TARGETS="altscribe bench_describe"
timeout 400 bash scripts/setup > $OUT/setup.log 2>&1
rc=$?
say "setup rc=$rc"; tail -5 $OUT/setup.log
d=$(ls -d /tmp/asc-cache/llama-* 2>/dev/null | head -1)
[ $rc -eq 0 ] || { tail -30 "$d/build.log" 2>/dev/null; tail -20 "$d/configure.log" 2>/dev/null; exit 1; }
build-gpu/altscribe doctor 2>&1 | head -4
say "making the llava15-7b-shaped model"
build-gpu/altscribe model make-test --out /tmp/llava7b --preset llava15-7b 2>&1 | tail -1
say "bench/describe (llava15-7b shape, 128 tokens, EOS ignored)"
build-gpu/bench/describe --model /tmp/llava7b/model.gguf --mmproj /tmp/llava7b/mmproj.gguf \
  --runs 5 --loads 1 --max-tokens 128 --ignore-eos 2>&1 | tee $OUT/bench_llava7b.txt
say "bench/describe (tiny)"
build-gpu/bench/describe --runs 10 --loads 1 2>&1 | tail -12 | tee $OUT/bench_tiny_gpu.txt
if [ "${ANCHOR:-0}" = 1 ] && python3 -c "import torch, transformers" 2>/dev/null; then
  say "HF transformers anchor"
  (cd gpu && timeout $((560 - (SECONDS - T0))) python3 hf_llava_anchor.py 2>&1 | tail -15)
  cp gpu/*.json $OUT/ 2>/dev/null; cp $OUT/../hf_llava_anchor.json $OUT/ 2>/dev/null
else
  say "anchor skipped (time or torch missing)"
fi
say "done"

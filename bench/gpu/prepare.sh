#!/usr/bin/env bash
# bench/gpu/prepare.sh (bench/gpu.sh --prepare) — fills gpu/ (git-ignored) with what a GPU
# machine without network needs for bench/gpu.sh: a llama.cpp v0.4.0 source subset (from
# scripts/setup's cache; other GPU backends dropped; common/ and a tools/ list holding only mtmd,
# so llama-mtmd-cli builds too), nlohmann/json's headers, and the HF transformers anchor script
# when ../shared/bench has it. The benchmark itself builds standalone there (bench/gpu/
# CMakeLists.txt), so no other -dev package travels. Run scripts/setup first. Then carry "gpu"
# with the device call and run `bench/gpu.sh`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
src=$(ls -d "${ALTSCRIBE_CACHE:-$HOME/.cache/altscribe}"/llama-v0.4.0-*/src 2>/dev/null | head -1)
[ -n "$src" ] || { echo "prepare: error: no llama.cpp source in the cache; run scripts/setup" >&2; exit 1; }
rm -rf gpu/llama.cpp && mkdir -p gpu/llama.cpp/tools gpu/llama.cpp/ggml/src
cp -r "$src"/{CMakeLists.txt,cmake,include,vendor,licenses,LICENSE,src} gpu/llama.cpp/
cp -r "$src"/tools/mtmd "$src"/common gpu/llama.cpp/tools/
mv gpu/llama.cpp/tools/common gpu/llama.cpp/common
# Only mtmd of the tools: LLAMA_BUILD_TOOLS=ON then builds llama-mtmd-cli and nothing else.
printf 'llama_add_compile_flags()\nadd_subdirectory(mtmd)\n' >gpu/llama.cpp/tools/CMakeLists.txt
cp -r "$src"/ggml/{CMakeLists.txt,cmake,include} gpu/llama.cpp/ggml/
for f in "$src"/ggml/src/*; do
  case "$(basename "$f")" in
    ggml-et|ggml-metal|ggml-hexagon|ggml-sycl|ggml-vulkan|ggml-opencl|ggml-cann|ggml-musa|ggml-webgpu|ggml-zdnn|ggml-rpc|ggml-blas|ggml-openvino|ggml-zendnn|ggml-virtgpu) ;;
    *) cp -r "$f" gpu/llama.cpp/ggml/src/ ;;
  esac
done
# nlohmann/json's headers, in case the GPU image has none (bench/gpu/CMakeLists.txt uses them
# only when find_package finds no installed copy).
rm -rf gpu/include gpu/debs && mkdir -p gpu/include
cp -r /usr/include/nlohmann gpu/include/
[ ! -f ../shared/bench/hf_llava_anchor.py ] || cp ../shared/bench/hf_llava_anchor.py gpu/
du -sh gpu
[ "$(du -sm gpu | cut -f1)" -lt 60 ] || { echo "prepare: error: gpu/ is over 60 MiB" >&2; exit 1; }

// vision/gpu_check.h — is the GPU this build was made for usable, and what to do when it is not.
//
// A CUDA build of llama.cpp registers its backend even when no device answers (no driver, no
// card, CUDA_VISIBLE_DEVICES=""); llama.cpp then runs everything on the CPU without a word.
// altscribe says so: one warning and the CPU, or with --require-gpu a clear error.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace altscribe::vision {

struct GpuProbe {
  std::vector<std::string> gpu_backends;  // GPU backends compiled in ("CUDA", "Vulkan", ...)
  std::vector<std::string> gpu_devices;   // usable GPU devices ("CUDA0 (NVIDIA H100 80GB HBM3)")
};

// What this process's llama.cpp build registered (calls llama_backend_init once).
GpuProbe ProbeGpu();

// The policy, value by value: OK with *warning empty when a GPU is usable or none was built in
// (and none is required); OK with a one-line *warning when a GPU build found no device and
// require_gpu is false; an error naming the cause when require_gpu is true and no device is
// usable. REQUIRES: warning != nullptr.
Status CheckGpu(const GpuProbe& probe, bool require_gpu, std::string* warning);

}  // namespace altscribe::vision

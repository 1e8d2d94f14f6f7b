#include "vision/gpu_check.h"

#include <ggml-backend.h>

#include <string_view>

#include "vision/llama_model.h"

namespace altscribe::vision {
namespace {

bool IsGpuBackend(std::string_view name) {
  for (std::string_view g :
       {"CUDA", "ROCm", "HIP", "Vulkan", "Metal", "SYCL", "MUSA", "CANN", "OpenCL", "WebGPU"}) {
    if (name == g) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

GpuProbe ProbeGpu() {
  InstallLlamaLogging();
  GpuProbe p;
  for (size_t i = 0; i < ggml_backend_reg_count(); ++i) {
    const char* name = ggml_backend_reg_name(ggml_backend_reg_get(i));
    if (name && IsGpuBackend(name)) p.gpu_backends.emplace_back(name);
  }
  for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
    ggml_backend_dev_t d = ggml_backend_dev_get(i);
    auto type = ggml_backend_dev_type(d);
    if (type == GGML_BACKEND_DEVICE_TYPE_GPU || type == GGML_BACKEND_DEVICE_TYPE_IGPU) {
      p.gpu_devices.push_back(std::string(ggml_backend_dev_name(d)) + " (" +
                              ggml_backend_dev_description(d) + ")");
    }
  }
  return p;
}

Status CheckGpu(const GpuProbe& probe, bool require_gpu, std::string* warning) {
  warning->clear();
  if (!probe.gpu_devices.empty()) return Status::Ok();
  if (probe.gpu_backends.empty()) {
    if (!require_gpu) return Status::Ok();
    return Status::Unsupported(
        "--require-gpu: this build has no GPU backend (build llama.cpp with CUDA: "
        "ALTSCRIBE_CUDA=1 scripts/setup)");
  }
  const std::string built = Join(probe.gpu_backends);
  if (require_gpu) {
    return Status::Unsupported("--require-gpu: this build has " + built +
                               " but no usable GPU was found (check the driver with nvidia-smi, "
                               "and CUDA_VISIBLE_DEVICES)");
  }
  *warning = "this build has " + built +
             " but no usable GPU was found; running on the CPU (slow for 7B models; "
             "--require-gpu makes this an error)";
  return Status::Ok();
}

}  // namespace altscribe::vision

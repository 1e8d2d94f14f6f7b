// The GPU policy value by value: a usable GPU is silent; a GPU build without a device warns and
// runs on the CPU, or with --require-gpu fails naming the cause; a CPU build is silent unless a
// GPU is required.
#include "vision/gpu_check.h"

#include <gtest/gtest.h>

namespace altscribe::vision {
namespace {

TEST(GpuCheck, AUsableGpuIsSilent) {
  std::string w = "stale";
  GpuProbe p{{"CUDA"}, {"CUDA0 (NVIDIA H100 80GB HBM3)"}};
  EXPECT_TRUE(CheckGpu(p, false, &w).ok());
  EXPECT_EQ(w, "");
  EXPECT_TRUE(CheckGpu(p, true, &w).ok());
  EXPECT_EQ(w, "");
}

TEST(GpuCheck, ACudaBuildWithoutADeviceWarnsAndFallsBackToTheCpu) {
  std::string w;
  EXPECT_TRUE(CheckGpu({{"CUDA"}, {}}, false, &w).ok());
  EXPECT_EQ(w,
            "this build has CUDA but no usable GPU was found; running on the CPU (slow for 7B "
            "models; --require-gpu makes this an error)");
}

TEST(GpuCheck, ACudaBuildWithoutADeviceIsAnErrorWithRequireGpu) {
  std::string w;
  Status s = CheckGpu({{"CUDA"}, {}}, true, &w);
  EXPECT_EQ(s.code(), Code::kUnsupported);
  EXPECT_EQ(s.message(),
            "--require-gpu: this build has CUDA but no usable GPU was found (check the driver "
            "with nvidia-smi, and CUDA_VISIBLE_DEVICES)");
  EXPECT_EQ(w, "");
}

TEST(GpuCheck, ACpuBuildIsSilentUnlessAGpuIsRequired) {
  std::string w;
  EXPECT_TRUE(CheckGpu({}, false, &w).ok());
  EXPECT_EQ(w, "");
  Status s = CheckGpu({}, true, &w);
  EXPECT_EQ(s.code(), Code::kUnsupported);
  EXPECT_NE(s.message().find("this build has no GPU backend (build llama.cpp with CUDA: "
                             "ALTSCRIBE_CUDA=1 scripts/setup)"),
            std::string::npos);
}

TEST(GpuCheck, ThisBuildIsProbedWithoutCrashing) {
  GpuProbe p = ProbeGpu();
  // The CPU-only test build registers no GPU backend; a CUDA build names it.
  for (const auto& b : p.gpu_backends) EXPECT_FALSE(b.empty());
  if (p.gpu_backends.empty()) {
    EXPECT_TRUE(p.gpu_devices.empty());
  }
}

}  // namespace
}  // namespace altscribe::vision

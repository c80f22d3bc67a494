#pragma once
// GPU tests skip, loudly, when the machine has no CUDA device; with one they always run. EMBGEO_REQUIRE_GPU=1
// (tools/gpu-check.sh sets it) turns that skip into a failure, so a GPU run cannot pass with no GPU test run;
// each binary ends by printing how many GPU tests ran (gpu_test_count.cpp).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "embgeo/cuda_backend.hpp"

namespace embgeo::testing_support {

inline bool gpu_required() {
  const char* value = std::getenv("EMBGEO_REQUIRE_GPU");
  return value != nullptr && std::strcmp(value, "1") == 0;
}

void count_gpu_test();  // one more test went past REQUIRE_GPU

}  // namespace embgeo::testing_support

#define REQUIRE_GPU()                                                                                        \
  do {                                                                                                       \
    const ::embgeo::GpuInventory gpu_inventory = ::embgeo::query_gpus();                                     \
    if (gpu_inventory.count == 0) {                                                                          \
      if (::embgeo::testing_support::gpu_required())                                                        \
        GTEST_FAIL() << "EMBGEO_REQUIRE_GPU=1 but there is no CUDA GPU: " << gpu_inventory.why_none;        \
      GTEST_SKIP() << "no CUDA GPU: " << gpu_inventory.why_none;                                             \
    }                                                                                                        \
    ::embgeo::testing_support::count_gpu_test();                                                             \
  } while (0)

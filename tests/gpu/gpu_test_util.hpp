#pragma once
// GPU tests skip, loudly, when the machine has no CUDA device; with one they always run.
#include <gtest/gtest.h>

#include "embgeo/cuda_backend.hpp"

#define REQUIRE_GPU()                                                                                    \
  do {                                                                                                   \
    const ::embgeo::GpuInventory gpu_inventory = ::embgeo::query_gpus();                                 \
    if (gpu_inventory.count == 0) GTEST_SKIP() << "no CUDA GPU: " << gpu_inventory.why_none;             \
  } while (0)

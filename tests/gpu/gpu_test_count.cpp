// Counts the tests that went past REQUIRE_GPU and prints the count when the binary ends, so a log shows how
// many GPU tests really ran (and on which device).
#include <iostream>

#include "gpu_test_util.hpp"

namespace embgeo::testing_support {
namespace {

int g_gpu_tests = 0;

class GpuTestCount : public ::testing::Environment {
 public:
  void TearDown() override {
    const GpuInventory gpus = query_gpus();
    std::cout << "GPU tests run: " << g_gpu_tests << " ("
              << (gpus.count == 0 ? "no CUDA GPU: " + gpus.why_none : gpus.emulated ? "emulated device" : "CUDA GPU")
              << ")\n";
  }
};

[[maybe_unused]] const ::testing::Environment* const g_registered =
    ::testing::AddGlobalTestEnvironment(new GpuTestCount);

}  // namespace

void count_gpu_test() { ++g_gpu_tests; }

}  // namespace embgeo::testing_support

// The host side of embgeo_emu::launch: CUDA's launch-configuration limits, then the grid onto its stream.
#include <cstdio>
#include <memory>

#include "cuda_runtime.h"
#include "emu_internal.hpp"

namespace embgeo_emu::detail {

namespace {
constexpr unsigned kMaxThreadsPerBlock = 1024;
constexpr unsigned kMaxBlockDim[3] = {1024, 1024, 64};
constexpr unsigned kMaxGridDim[3] = {0x7fffffffu, 65535, 65535};
// Without cudaFuncSetAttribute (not emulated) a kernel gets at most 48 KiB of dynamic shared memory.
constexpr std::size_t kMaxDynamicSharedBytes = 48 * 1024;
}  // namespace

bool accept_launch_config(dim3 grid, dim3 block, std::size_t dynamic_shared_bytes) {
  const unsigned long long threads = 1ULL * block.x * block.y * block.z;
  const bool valid = grid.x > 0 && grid.y > 0 && grid.z > 0 && block.x > 0 && block.y > 0 && block.z > 0 &&
                     block.x <= kMaxBlockDim[0] && block.y <= kMaxBlockDim[1] && block.z <= kMaxBlockDim[2] &&
                     threads <= kMaxThreadsPerBlock && grid.x <= kMaxGridDim[0] && grid.y <= kMaxGridDim[1] &&
                     grid.z <= kMaxGridDim[2];
  if (!valid) {
    record_error(cudaErrorInvalidConfiguration);
    return false;
  }
  // CUDA reports too much shared memory as an invalid argument rather than an invalid configuration.
  if (dynamic_shared_bytes > kMaxDynamicSharedBytes) {
    record_error(cudaErrorInvalidValue);
    return false;
  }
  return true;
}

void report_bad_pointer(const char* launch_signature, std::size_t position) {
  std::fprintf(stderr, "emulated device: kernel argument %zu is not device memory (a GPU would fault): %s\n", position,
               launch_signature);
  record_error(cudaErrorIllegalAddress);
}

void enqueue_grid(cudaStream_t stream, GridLaunch launch) {
  auto recorded = std::make_shared<const GridLaunch>(std::move(launch));
  record_error(enqueue(stream, [recorded] { run_grid(*recorded); }));
}

}  // namespace embgeo_emu::detail

// The host side of embgeo_emu::launch: CUDA's launch-configuration limits, then the grid onto its stream.
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>

#include "cuda_runtime.h"
#include "emu_internal.hpp"

namespace embgeo_emu::detail {

namespace {
constexpr unsigned kMaxThreadsPerBlock = 1024;
constexpr unsigned kMaxBlockDim[3] = {1024, 1024, 64};
constexpr unsigned kMaxGridDim[3] = {0x7fffffffu, 65535, 65535};

// Each kernel's dynamic shared memory limit, as raised by cudaFuncSetAttribute (absent: the default).
struct SharedLimits {
  std::mutex mutex;
  std::map<const void*, std::size_t> bytes;
};
SharedLimits& shared_limits() {
  static SharedLimits limits;
  return limits;
}

std::size_t dynamic_shared_limit(const void* kernel) {
  SharedLimits& limits = shared_limits();
  const std::lock_guard<std::mutex> lock(limits.mutex);
  const auto found = limits.bytes.find(kernel);
  return found == limits.bytes.end() ? kDefaultSharedBytesPerBlock : found->second;
}

}  // namespace

bool accept_launch_config(const void* kernel, dim3 grid, dim3 block, std::size_t dynamic_shared_bytes) {
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
  if (dynamic_shared_bytes > dynamic_shared_limit(kernel)) {
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

cudaError_t cudaFuncSetAttribute(const void* func, cudaFuncAttribute attr, int value) {
  using namespace embgeo_emu::detail;
  // Modelled as a call that may synchronize (it waits for pending copies on some drivers), so not in capture.
  if (const cudaError_t refused = refuse_if_capture_forbids_unsafe_calls(); refused != cudaSuccess) return refused;
  if (func == nullptr || attr != cudaFuncAttributeMaxDynamicSharedMemorySize || value < 0 ||
      static_cast<std::size_t>(value) > kOptinSharedBytesPerBlock)
    return record_error(cudaErrorInvalidValue);
  SharedLimits& limits = shared_limits();
  const std::lock_guard<std::mutex> lock(limits.mutex);
  limits.bytes[func] = static_cast<std::size_t>(value);
  return cudaSuccess;
}

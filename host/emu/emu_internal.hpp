#pragma once
// Declarations shared by the emulated runtime's .cpp files (not for kernels or the project).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "embgeo_emu/runtime_hooks.hpp"

namespace embgeo_emu::detail {

// Shared memory a block may have: 48 KiB by default, up to the opt-in limit of an H100/H200 once a kernel asks
// with cudaFuncSetAttribute, so the emulated device takes the same launch paths as the GPU the project targets.
inline constexpr std::size_t kDefaultSharedBytesPerBlock = 48 * 1024;
inline constexpr std::size_t kOptinSharedBytesPerBlock = 227 * 1024;

// streams.cpp: the capture rules. A "potentially unsafe" call (cudaMalloc, cudaFree, synchronous copies,
// device synchronization) is refused while a capture that prohibits it is in progress: that capture is
// invalidated and the call gets cudaErrorStreamCaptureUnsupported. cudaSuccess when the call may proceed.
cudaError_t refuse_if_capture_forbids_unsafe_calls();
// Invalidates the capture on `stream` (if any) and returns cudaErrorStreamCaptureUnsupported.
cudaError_t refuse_and_invalidate_capture(cudaStream_t stream);

// schedule.cpp: orders of threads within a block phase and of blocks within a grid, per the schedule.
// A random schedule draws a fresh permutation on every call.
void fill_thread_order(std::vector<unsigned>& order, unsigned count);
class BlockOrder {
 public:
  explicit BlockOrder(std::uint64_t blocks);
  std::uint64_t operator[](std::uint64_t i) const;

 private:
  std::uint64_t blocks_;
  Schedule schedule_;
  std::vector<std::uint32_t> shuffled_;
  std::uint64_t stride_ = 1, offset_ = 0;  // random order of grids too large to shuffle: an affine bijection
};

// One line on stderr prefixed "emulated device: ", then abort(): the emulator's fatal conditions.
[[noreturn]] void fatal(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace embgeo_emu::detail

namespace embgeo_emu::detail {
struct GridLaunch;
// block_scheduler.cpp: runs every block of the launch, now, on the calling thread.
void run_grid(const GridLaunch& launch);
}  // namespace embgeo_emu::detail

#pragma once
// Runtime services the header-only stand-ins (CUB, launch) build on: stream work queues and the allocation
// registry. Not CUDA API; kernels never use these.
#include <cstddef>
#include <functional>

#include "embgeo_emu/runtime_api.h"

namespace embgeo_emu::detail {

using StreamWork = std::function<void()>;

// Runs `work` now, or appends it to the capture in progress on `stream`. Returns the error CUDA would give
// (unknown stream, invalidated capture) without recording it.
cudaError_t enqueue(cudaStream_t stream, StreamWork work);
bool stream_is_capturing(cudaStream_t stream);

// True when [address, address + bytes) lies inside one live cudaMalloc or cudaMallocHost allocation, i.e. a
// GPU could dereference it.
bool device_accessible(const void* address, std::size_t bytes);
// device_accessible, or false after one line on stderr naming `call` and its operand `what`: what cuBLAS and
// CUB calls check their operands with (bytes == 0: nothing is read, anything goes).
bool require_device_range(const char* call, const char* what, const void* address, std::size_t bytes);
// A pointer a kernel may be given: null, or into (or one past the end of) a device-accessible allocation.
bool kernel_pointer_ok(const void* address);

// Makes `error` the sticky last error (unless it is cudaSuccess) and returns it.
cudaError_t record_error(cudaError_t error);

}  // namespace embgeo_emu::detail

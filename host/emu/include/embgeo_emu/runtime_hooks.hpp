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

// Makes `error` the sticky last error (unless it is cudaSuccess) and returns it.
cudaError_t record_error(cudaError_t error);

}  // namespace embgeo_emu::detail

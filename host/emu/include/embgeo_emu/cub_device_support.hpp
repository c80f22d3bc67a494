#pragma once
// What the emulated CUB device-wide algorithms share: the temp-storage protocol and the checks a GPU would
// turn into a fault (pointers that are not device memory), then the work itself on the stream.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "embgeo_emu/runtime_hooks.hpp"

namespace embgeo_emu::detail {

// The scratch a call asks for: never zero, growing with the input like CUB's double buffers.
inline std::size_t cub_temp_bytes(long long num_items, std::size_t bytes_per_item) {
  return 256 + static_cast<std::size_t>(num_items > 0 ? num_items : 0) * bytes_per_item;
}

// Real CUB uses its scratch for its own passes: the emulation fills it with a pattern when the work runs, so a
// caller that keeps data there across calls, or shares it with live data, sees it overwritten.
inline void scribble_temp(void* d_temp, std::size_t bytes) { std::memset(d_temp, 0xA5, bytes); }

// CUB's device-wide algorithms (but its scans) need separate input and output buffers: false, after one line
// on stderr, when [a, a + bytes) and [b, b + bytes) overlap.
inline bool require_disjoint(const char* algorithm, const char* what, const void* a, const void* b, std::size_t bytes) {
  const auto x = reinterpret_cast<std::uintptr_t>(a), y = reinterpret_cast<std::uintptr_t>(b);
  if (bytes == 0 || x + bytes <= y || y + bytes <= x) return true;
  std::fprintf(stderr, "emulated device: %s: %s overlap (CUB needs separate input and output buffers)\n", algorithm, what);
  return false;
}

// The common prologue. Returns true when the caller should enqueue its work; otherwise *result is what the
// CUB call returns (cudaSuccess after a size query, cudaErrorInvalidValue for too little scratch).
inline bool cub_prologue(const char* algorithm, void* d_temp, std::size_t& temp_bytes, std::size_t needed,
                         long long num_items, cudaError_t* result) {
  *result = cudaSuccess;
  if (d_temp == nullptr) {
    temp_bytes = needed;
    return false;
  }
  if (num_items < 0 || temp_bytes < needed || !require_device_range(algorithm, "d_temp_storage", d_temp, needed)) {
    *result = cudaErrorInvalidValue;
    return false;
  }
  return num_items > 0;
}

}  // namespace embgeo_emu::detail

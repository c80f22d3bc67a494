#pragma once
// Device buffers of uniform random values drawn on the device (Philox stream `seed`), for benchmarks: large
// tensors that would be slow to draw on the host, and GEMM ceilings measured on data rather than zeros (a
// GEMM of zeros runs faster than real work on some GPUs).
#include <cstddef>
#include <cstdint>

#include "device_buffer.cuh"

namespace embgeo::cuda {

// n values uniform in [lo, hi).
DeviceBuffer<float> uniform_buffer(std::size_t n, float lo, float hi, std::uint64_t seed, cudaStream_t stream);

}  // namespace embgeo::cuda

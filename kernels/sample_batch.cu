// Device-side batch sampling: the same Philox draw as the CPU reference picks each row's window (and skip-gram's
// pair), so a step needs no host round-trip and CPU and GPU runs see identical batches.
#include "cuda_check.cuh"
#include "embgeo/philox.hpp"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// One thread per (row, slot); slots 0..C−1 are the pooled ids, slot C the target (C = layout.pooled_ids()).
__global__ void sample_batch_kernel(const std::int32_t* __restrict__ corpus, std::uint64_t seed,
                                    const std::int64_t* __restrict__ step_counter, std::int64_t window_begin,
                                    std::int64_t window_count, std::int32_t* __restrict__ x,
                                    std::int32_t* __restrict__ y, int B, WindowLayout layout, int first_row) {
  const int C = layout.pooled_ids();
  const std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (i >= static_cast<std::int64_t>(B) * (C + 1)) return;
  const int b = static_cast<int>(i / (C + 1));
  const int c = static_cast<int>(i % (C + 1));
  const std::int64_t step = *step_counter;
  const std::int64_t w = window_begin + sample_window(seed, step, first_row + b, window_count);
  if (c < C) {
    x[static_cast<std::size_t>(b) * C + c] = corpus[w + layout.context_offset(c)];
  } else {
    const int pair = layout.objective == Objective::kSkipgram ? sample_pair(seed, step, first_row + b, layout.context) : 0;
    y[b] = corpus[w + layout.target_offset(pair)];
  }
}

__global__ void increment_counter_kernel(std::int64_t* counter) { *counter += 1; }
__global__ void set_counter_kernel(std::int64_t* counter, std::int64_t value) { *counter = value; }

}  // namespace

void increment_counter(std::int64_t* counter, cudaStream_t stream) {
  launch(increment_counter_kernel, 1, 1, stream, counter);
}

void set_counter(std::int64_t* counter, std::int64_t value, cudaStream_t stream) {
  launch(set_counter_kernel, 1, 1, stream, counter, value);
}

void sample_batch(const std::int32_t* corpus, std::uint64_t seed, const std::int64_t* step, std::int64_t window_begin,
                  std::int64_t window_count, std::int32_t* x, std::int32_t* y, int B, const WindowLayout& layout,
                  int first_row, cudaStream_t stream) {
  const std::size_t total = static_cast<std::size_t>(B) * (layout.pooled_ids() + 1);
  launch(sample_batch_kernel, static_cast<unsigned int>((total + 255) / 256), 256, stream, corpus, seed, step,
         window_begin, window_count, x, y, B, layout, first_row);
}

}  // namespace embgeo::cuda

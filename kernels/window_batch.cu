// Evaluation batches: `rows` consecutive windows of the corpus.
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

__global__ void window_batch_kernel(const std::int32_t* __restrict__ corpus, std::int64_t first_window,
                                    std::int32_t* __restrict__ x, std::int32_t* __restrict__ y, int rows, int C) {
  const std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (i >= static_cast<std::int64_t>(rows) * (C + 1)) return;
  const int b = static_cast<int>(i / (C + 1));
  const int c = static_cast<int>(i % (C + 1));
  const std::int32_t id = corpus[first_window + b + c];
  if (c < C)
    x[static_cast<std::size_t>(b) * C + c] = id;
  else
    y[b] = id;
}

}  // namespace

void window_batch(const std::int32_t* corpus, std::int64_t first_window, std::int32_t* x, std::int32_t* y, int rows,
                  int C, cudaStream_t stream) {
  const std::size_t total = static_cast<std::size_t>(rows) * (C + 1);
  launch(window_batch_kernel, static_cast<unsigned int>((total + 255) / 256), 256, stream, corpus, first_window, x,
         y, rows, C);
}

}  // namespace embgeo::cuda

// Evaluation batches: `rows` consecutive windows of the corpus, laid out as the objective says.
#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

__global__ void window_batch_kernel(const std::int32_t* __restrict__ corpus, std::int64_t first_window,
                                    std::int32_t* __restrict__ x, std::int32_t* __restrict__ y, int rows,
                                    WindowLayout layout) {
  const int C = layout.pooled_ids();
  const std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (i >= static_cast<std::int64_t>(rows) * (C + 1)) return;
  const int b = static_cast<int>(i / (C + 1));
  const int c = static_cast<int>(i % (C + 1));
  const std::int64_t w = first_window + b;
  if (c < C)
    x[static_cast<std::size_t>(b) * C + c] = corpus[w + layout.context_offset(c)];
  else
    y[b] = corpus[w + layout.target_offset(evaluation_pair(w, layout))];
}

}  // namespace

void window_batch(const std::int32_t* corpus, std::int64_t first_window, std::int32_t* x, std::int32_t* y, int rows,
                  const WindowLayout& layout, cudaStream_t stream) {
  const std::size_t total = static_cast<std::size_t>(rows) * (layout.pooled_ids() + 1);
  launch(window_batch_kernel, static_cast<unsigned int>((total + 255) / 256), 256, stream, corpus, first_window, x,
         y, rows, layout);
}

}  // namespace embgeo::cuda

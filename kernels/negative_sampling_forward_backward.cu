// Negative sampling's loss and gradients (negative_sampling.hpp): per row, the target and K noise ids drawn on
// the device, scored by a gather-dot with their output rows; then dW and db by the scatter-add kernels of the
// embedding backward. Reads (K+1)·D floats of W a row instead of the head's V·D.
#include <cub/block/block_reduce.cuh>

#include "cuda_check.cuh"
#include "embgeo/negative_sampling.hpp"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

constexpr int kThreads = 128;

// One block per row b. Slot j = b·(K+1) + j of ids/ds/weighted is the row's j-th scored id (0: the target).
// weighted (rows·(K+1), D) holds ds_j·h[b], the dW rows the scatter adds up.
__global__ void negative_sampling_rows_kernel(const float* __restrict__ h, const float* __restrict__ W,
                                              const float* __restrict__ bias, const std::int32_t* __restrict__ y,
                                              NoiseDraw noise, std::int32_t* __restrict__ ids, float* __restrict__ ds,
                                              float* __restrict__ weighted, double* __restrict__ row_loss,
                                              float* __restrict__ dh, int K, int D, float grad_scale) {
  __shared__ std::int32_t row_ids[kMaxNegatives + 1];
  __shared__ float row_ds[kMaxNegatives + 1];
  using BlockReduce = cub::BlockReduce<float, kThreads>;
  __shared__ typename BlockReduce::TempStorage temp;
  const int b = blockIdx.x, J = K + 1;
  const std::int64_t step = *noise.step;
  for (int j = threadIdx.x; j < J; j += blockDim.x) {
    row_ids[j] = j == 0 ? y[b] : sample_noise(noise.seed, step, noise.first_row + b, j, noise.cdf, noise.V);
    ids[static_cast<std::size_t>(b) * J + j] = row_ids[j];
  }
  __syncthreads();
  const float* h_row = h + static_cast<std::size_t>(b) * D;
  double loss = 0;  // thread 0's
  for (int j = 0; j < J; ++j) {
    const float* w_row = W + static_cast<std::size_t>(row_ids[j]) * D;
    float partial = 0.0f;
    for (int d = threadIdx.x; d < D; d += blockDim.x) partial += h_row[d] * w_row[d];
    const float dot = BlockReduce(temp).Sum(partial);
    if (threadIdx.x == 0) {
      const float s = dot + bias[row_ids[j]];
      const float x = j == 0 ? s : -s;  // the row's loss term is −log σ(x)
      loss += x > 0.0f ? log1pf(expf(-x)) : -x + log1pf(expf(x));
      const float sigmoid = 1.0f / (1.0f + expf(-s));
      row_ds[j] = (sigmoid - (j == 0 ? 1.0f : 0.0f)) * grad_scale;
      ds[static_cast<std::size_t>(b) * J + j] = row_ds[j];
    }
    __syncthreads();  // the reduction's scratch is reused by the next j
  }
  if (threadIdx.x == 0) row_loss[b] = loss;
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    float sum = 0.0f;
    const float hd = h_row[d];
    for (int j = 0; j < J; ++j) {
      sum += row_ds[j] * W[static_cast<std::size_t>(row_ids[j]) * D + d];
      weighted[(static_cast<std::size_t>(b) * J + j) * D + d] = row_ds[j] * hd;
    }
    dh[static_cast<std::size_t>(b) * D + d] = sum;
  }
}

}  // namespace

void negative_sampling_forward_backward(const float* h, const float* W, const float* bias, const std::int32_t* y,
                                        const NoiseDraw& noise, const NegativeSamplingWork& work, double* loss_sum,
                                        DivergenceFlag flag, float* dh, float* dW, float* db, int rows, int K, int D,
                                        int V, float grad_scale, SortedScatterWorkspace* sorted, cudaStream_t stream) {
  if (rows == 0) return;
  launch(negative_sampling_rows_kernel, rows, kThreads, stream, h, W, bias, y, noise, work.ids, work.ds, work.weighted,
         work.row_loss, dh, K, D, grad_scale);
  add_row_losses(work.row_loss, rows, loss_sum, flag, stream);
  // dW[t] += ds·h and db[t] += ds over the rows' slots: the embedding backward's scatter with C = 1 (D = 1 for b).
  const int slots = rows * (K + 1);
  if (sorted != nullptr) {
    scatter_add_backward_sorted(work.weighted, work.ids, nullptr, dW, slots, 1, D, Pooling{}, true, *sorted, V, stream);
    scatter_add_backward_sorted(work.ds, work.ids, nullptr, db, slots, 1, 1, Pooling{}, true, *sorted, V, stream);
  } else {
    scatter_add_backward(work.weighted, work.ids, nullptr, dW, slots, 1, D, V, Pooling{}, stream);
    scatter_add_backward(work.ds, work.ids, nullptr, db, slots, 1, 1, V, Pooling{}, stream);
  }
}

}  // namespace embgeo::cuda

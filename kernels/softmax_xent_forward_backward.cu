// Softmax cross-entropy fused per row: an online max/sum pass over the row, then a second pass that writes
// (softmax − onehot)·grad_scale in place of the logits (two reads and one write of the row). Each row's loss
// logsumexp − logit[y] goes to its own slot; a one-block kernel then adds them in row order to a double
// accumulator, so the summed loss is the same on every run (atomics would add in arrival order) and
// thousands of steps can be summed on the device without drift.
#include <cub/block/block_reduce.cuh>

#include <cfloat>

#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// Running (max, Σ exp(x − max)) of a set of logits; merging two keeps the sum relative to the larger max.
struct MaxSum {
  float max;
  float sum;
};

struct MergeMaxSum {
  __device__ MaxSum operator()(const MaxSum& a, const MaxSum& b) const {
    if (a.sum == 0.0f) return b;  // an empty side (max = −inf) would make exp(−inf − −inf) a NaN
    if (b.sum == 0.0f) return a;
    const float max = fmaxf(a.max, b.max);
    return {max, a.sum * expf(a.max - max) + b.sum * expf(b.max - max)};
  }
};

template <int kThreads>
__global__ void softmax_xent_forward_backward_kernel(float* __restrict__ logits, const std::int32_t* __restrict__ y,
                                                     double* __restrict__ row_loss, int V, float grad_scale) {
  using BlockReduce = cub::BlockReduce<MaxSum, kThreads>;
  __shared__ typename BlockReduce::TempStorage temp;
  __shared__ float log_sum_exp;
  float* row = logits + static_cast<std::size_t>(blockIdx.x) * V;

  MaxSum local{-FLT_MAX, 0.0f};
  for (int v = threadIdx.x; v < V; v += kThreads) {
    const float x = row[v];
    if (x > local.max) {
      local.sum = local.sum * expf(local.max - x) + 1.0f;  // rescale the running sum to the new max
      local.max = x;
    } else {
      local.sum += expf(x - local.max);
    }
  }
  const MaxSum total = BlockReduce(temp).Reduce(local, MergeMaxSum());
  if (threadIdx.x == 0) {
    log_sum_exp = total.max + logf(total.sum);
    // The loss in double, as it is accumulated: a float log-sum-exp of logits near 3000 is off by 1e-4.
    row_loss[blockIdx.x] = static_cast<double>(total.max) + log(static_cast<double>(total.sum)) -
                           static_cast<double>(row[y[blockIdx.x]]);
  }
  __syncthreads();  // everyone needs log_sum_exp, and row[y] must be read before it is overwritten

  const int target = y[blockIdx.x];
  for (int v = threadIdx.x; v < V; v += kThreads) {
    const float p = expf(row[v] - log_sum_exp);
    row[v] = (p - (v == target ? 1.0f : 0.0f)) * grad_scale;
  }
}

// *loss_sum += Σ row_loss in a fixed order: each thread sums a strided slice in order, then a fixed tree.
__global__ void add_row_losses_kernel(const double* __restrict__ row_loss, int rows, double* __restrict__ loss_sum) {
  __shared__ double partial[256];
  double sum = 0;
  for (int r = threadIdx.x; r < rows; r += blockDim.x) sum += row_loss[r];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (unsigned int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) *loss_sum += partial[0];
}

}  // namespace

void softmax_xent_forward_backward(float* logits, const std::int32_t* y, double* row_loss, double* loss_sum, int rows,
                                   int V, float grad_scale, cudaStream_t stream) {
  // Wider blocks only pay off once a row has enough elements to keep them busy.
  if (V >= 8192)
    launch(softmax_xent_forward_backward_kernel<1024>, rows, 1024, stream, logits, y, row_loss, V, grad_scale);
  else if (V >= 512)
    launch(softmax_xent_forward_backward_kernel<256>, rows, 256, stream, logits, y, row_loss, V, grad_scale);
  else
    launch(softmax_xent_forward_backward_kernel<32>, rows, 32, stream, logits, y, row_loss, V, grad_scale);
  launch(add_row_losses_kernel, 1, 256, stream, row_loss, rows, loss_sum);
}

}  // namespace embgeo::cuda

// Softmax cross-entropy fused per row: an online max/sum pass (one read of the row), then one pass that
// writes (softmax − onehot)·grad_scale in place of the logits. The row loss logsumexp − logit[y] is added
// to a double accumulator so thousands of steps of losses can be summed on the device without drift.
#include <cub/block/block_reduce.cuh>

#include <cfloat>

#include "kernels/cuda_check.cuh"
#include "kernels/launchers.cuh"

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
                                                     double* __restrict__ loss_sum, int V, float grad_scale) {
  using BlockReduce = cub::BlockReduce<MaxSum, kThreads>;
  __shared__ typename BlockReduce::TempStorage temp;
  __shared__ float log_sum_exp;
  float* row = logits + static_cast<std::size_t>(blockIdx.x) * V;

  MaxSum local{-FLT_MAX, 0.0f};
  for (int v = threadIdx.x; v < V; v += kThreads) local = MergeMaxSum()(local, MaxSum{row[v], 1.0f});
  const MaxSum total = BlockReduce(temp).Reduce(local, MergeMaxSum());
  if (threadIdx.x == 0) {
    log_sum_exp = total.max + logf(total.sum);
    atomicAdd(loss_sum, static_cast<double>(log_sum_exp - row[y[blockIdx.x]]));
  }
  __syncthreads();  // everyone needs log_sum_exp, and row[y] must be read before it is overwritten

  const int target = y[blockIdx.x];
  for (int v = threadIdx.x; v < V; v += kThreads) {
    const float p = expf(row[v] - log_sum_exp);
    row[v] = (p - (v == target ? 1.0f : 0.0f)) * grad_scale;
  }
}

}  // namespace

void softmax_xent_forward_backward(float* logits, const std::int32_t* y, double* loss_sum, int rows, int V,
                                   float grad_scale, cudaStream_t stream) {
  // Wider blocks only pay off once a row has enough elements to keep them busy.
  if (V >= 8192)
    softmax_xent_forward_backward_kernel<1024><<<rows, 1024, 0, stream>>>(logits, y, loss_sum, V, grad_scale);
  else if (V >= 512)
    softmax_xent_forward_backward_kernel<256><<<rows, 256, 0, stream>>>(logits, y, loss_sum, V, grad_scale);
  else
    softmax_xent_forward_backward_kernel<32><<<rows, 32, 0, stream>>>(logits, y, loss_sum, V, grad_scale);
  check_launch();
}

}  // namespace embgeo::cuda

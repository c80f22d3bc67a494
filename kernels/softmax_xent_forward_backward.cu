// Softmax cross-entropy fused per row: an online max/sum pass over the row, then a second pass that writes
// (softmax − onehot)·grad_scale in place of the logits (one read of the row when it fits in shared memory,
// else two reads that the launcher arranges to hit L2; one write). Each row's loss
// logsumexp − logit[y] goes to its own slot, and add_row_losses sums them in a fixed order.
#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <cfloat>
#include <mutex>
#include <set>
#include <utility>

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

// Logit v of a row is row[v] + bias[v] (bias null: row[v]): a head GEMM without the bias pass hands its rows
// here, and adding the bias on read saves writing and re-reading B·V floats. With kRowInShared the block keeps
// its row's logits in dynamic shared memory between the two passes, so the row is read from memory once;
// otherwise the second pass re-reads it, and the launcher keeps few enough rows in flight that it hits L2.
// Blocks loop over rows (row += gridDim.x): the grid is what the launcher chose to keep in flight.
template <int kThreads, bool kRowInShared>
__global__ void softmax_xent_forward_backward_kernel(float* __restrict__ logits, const float* __restrict__ bias,
                                                     const std::int32_t* __restrict__ y,
                                                     double* __restrict__ row_loss, int rows, int V,
                                                     float grad_scale) {
  using BlockReduce = cub::BlockReduce<MaxSum, kThreads>;
  __shared__ typename BlockReduce::TempStorage temp;
  __shared__ float log_sum_exp;
  float* cached = kRowInShared ? dynamic_shared<float>() : nullptr;  // (V) when kRowInShared
  auto logit = [&](const float* row, int v) { return bias != nullptr ? row[v] + bias[v] : row[v]; };

  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    float* row = logits + static_cast<std::size_t>(r) * V;
    MaxSum local{-FLT_MAX, 0.0f};
    for (int v = threadIdx.x; v < V; v += kThreads) {
      const float x = logit(row, v);
      if constexpr (kRowInShared) cached[v] = x;
      if (x > local.max) {
        local.sum = local.sum * expf(local.max - x) + 1.0f;  // rescale the running sum to the new max
        local.max = x;
      } else {
        local.sum += expf(x - local.max);
      }
    }
    const MaxSum total = BlockReduce(temp).Reduce(local, MergeMaxSum());
    const int target = y[r];
    if (threadIdx.x == 0) {
      log_sum_exp = total.max + logf(total.sum);
      // The loss in double, as it is accumulated: a float log-sum-exp of logits near 3000 is off by 1e-4.
      row_loss[r] = static_cast<double>(total.max) + log(static_cast<double>(total.sum)) -
                    static_cast<double>(logit(row, target));
    }
    __syncthreads();  // everyone needs log_sum_exp, and row[target] must be read before it is overwritten

    for (int v = threadIdx.x; v < V; v += kThreads) {
      const float p = expf((kRowInShared ? cached[v] : logit(row, v)) - log_sum_exp);
      row[v] = (p - (v == target ? 1.0f : 0.0f)) * grad_scale;
    }
    __syncthreads();  // the next row reuses temp, log_sum_exp and the cached row
  }
}

// The block's static shared memory (the reduction's scratch) needs a little of the opt-in limit too.
constexpr std::size_t kStaticSharedAllowance = 1024;

// Lets `kernel` use the device's opt-in shared memory, once per kernel and device: cudaFuncSetAttribute may
// synchronize, which a stream capture forbids, and the first launch of a backend's step is eager.
void allow_optin_shared_memory(const void* kernel, int device, int optin_bytes) {
  static std::mutex mutex;
  static std::set<std::pair<const void*, int>> allowed;
  const std::lock_guard<std::mutex> lock(mutex);
  if (!allowed.insert({kernel, device}).second) return;
  CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  optin_bytes - static_cast<int>(kStaticSharedAllowance)));
}

template <int kThreads>
void launch_softmax_rows(float* logits, const float* bias, const std::int32_t* y, double* row_loss, int rows, int V,
                         float grad_scale, cudaStream_t stream) {
  int device = 0, optin_shared = 0, l2_bytes = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  CUDA_CHECK(cudaDeviceGetAttribute(&optin_shared, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  CUDA_CHECK(cudaDeviceGetAttribute(&l2_bytes, cudaDevAttrL2CacheSize, device));
  const std::size_t row_bytes = static_cast<std::size_t>(V) * sizeof(float);
  if (row_bytes + kStaticSharedAllowance <= static_cast<std::size_t>(optin_shared)) {
    auto kernel = softmax_xent_forward_backward_kernel<kThreads, true>;
    allow_optin_shared_memory(reinterpret_cast<const void*>(kernel), device, optin_shared);
    launch_with_shared_memory(kernel, rows, kThreads, row_bytes, stream, logits, bias, y, row_loss, rows, V, grad_scale);
  } else {
    // Rows in flight × row bytes within L2, so a row's second read finds it there.
    const std::size_t in_flight = std::max<std::size_t>(1, static_cast<std::size_t>(l2_bytes) / row_bytes);
    const int grid = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(rows), in_flight));
    launch(softmax_xent_forward_backward_kernel<kThreads, false>, grid, kThreads, stream, logits, bias, y, row_loss,
           rows, V, grad_scale);
  }
}

}  // namespace

void softmax_xent_forward_backward(float* logits, const float* bias, const std::int32_t* y, double* row_loss,
                                   double* loss_sum, int rows, int V, float grad_scale, cudaStream_t stream,
                                   DivergenceFlag flag) {
  // Wider blocks only pay off once a row has enough elements to keep them busy.
  if (V >= 8192)
    launch_softmax_rows<1024>(logits, bias, y, row_loss, rows, V, grad_scale, stream);
  else if (V >= 512)
    launch_softmax_rows<256>(logits, bias, y, row_loss, rows, V, grad_scale, stream);
  else
    launch_softmax_rows<32>(logits, bias, y, row_loss, rows, V, grad_scale, stream);
  add_row_losses(row_loss, rows, loss_sum, flag, stream);
}

}  // namespace embgeo::cuda

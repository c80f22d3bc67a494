// Deterministic embedding backward: sort the batch's (id, slot) pairs, run-length encode the sorted ids, and
// reduce each run in a fixed order, long runs split over several blocks (chunks, then a pass over each long
// run's chunk sums). Costs a radix sort of N = B·C keys over the atomic path, buys bit-identical runs and the
// list of touched rows that lazy Adam needs.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_run_length_encode.cuh>
#include <cub/device/device_scan.cuh>

#include <utility>

#include "cuda_check.cuh"
#include "embgeo/adam_update.hpp"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

__global__ void iota_slots_kernel(std::int32_t* __restrict__ slots, int n) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    slots[i] = static_cast<std::int32_t>(i);
}

// Per run r < *run_count: how many chunks it has, and how many of them leave a partial sum (runs of one chunk
// write their E row directly). Entries past the runs get zeros, so the scans over all n entries stay exact.
__global__ void count_chunks_kernel(const int* __restrict__ run_count, const std::int32_t* __restrict__ run_lengths,
                                    std::int32_t* __restrict__ chunk_counts, std::int32_t* __restrict__ partial_counts,
                                    int n) {
  constexpr int K = SortedScatterWorkspace::kChunkSlots;
  for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < n; r += gridDim.x * blockDim.x) {
    const int chunks = r < *run_count ? (run_lengths[r] + K - 1) / K : 0;
    chunk_counts[r] = chunks;
    partial_counts[r] = chunks > 1 ? chunks : 0;
  }
}

// The run a chunk belongs to: the last r whose first chunk is ≤ chunk (chunk_offsets ascend strictly, as
// every run has at least one chunk).
__device__ int run_of_chunk(const std::int32_t* chunk_offsets, int runs, int chunk) {
  int lo = 0, hi = runs - 1;
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (chunk_offsets[mid] <= chunk)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

// One block per chunk (blocks past the last chunk exit): the chunk's slots' dh values (pooling.hpp's slot_offset,
// times P[c] when the table multiplies), with the slots staged in shared memory, are summed in slot order; a
// run of one chunk writes its E row, a longer run's chunk its partial sum.
__global__ void sum_chunks_kernel(const int* __restrict__ run_count, const std::int32_t* __restrict__ unique_ids,
                                  const std::int32_t* __restrict__ run_lengths,
                                  const std::int32_t* __restrict__ run_offsets,
                                  const std::int32_t* __restrict__ chunk_counts,
                                  const std::int32_t* __restrict__ chunk_offsets,
                                  const std::int32_t* __restrict__ partial_offsets,
                                  const std::int32_t* __restrict__ sorted_slots, const float* __restrict__ dh,
                                  const float* __restrict__ P, float* __restrict__ partials, float* __restrict__ dE,
                                  int C, int D, Pooling pooling) {
  constexpr int K = SortedScatterWorkspace::kChunkSlots;
  __shared__ std::int32_t chunk_slots[K];  // the slot b·C + c of each entry of the chunk
  const int runs = *run_count;
  if (runs == 0) return;
  const int chunk = blockIdx.x;
  if (chunk >= chunk_offsets[runs - 1] + chunk_counts[runs - 1]) return;
  const int run = run_of_chunk(chunk_offsets, runs, chunk), index = chunk - chunk_offsets[run];
  const int begin = run_offsets[run] + index * K;
  const int count = min(K, run_offsets[run] + run_lengths[run] - begin);
  for (int k = threadIdx.x; k < count; k += blockDim.x) chunk_slots[k] = sorted_slots[begin + k];
  __syncthreads();
  const bool whole_run = chunk_counts[run] == 1;
  float* out = whole_run ? dE + static_cast<std::size_t>(unique_ids[run]) * D
                         : partials + static_cast<std::size_t>(partial_offsets[run] + index) * D;
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    float sum = 0.0f;
    for (int k = 0; k < count; ++k) {
      const int b = chunk_slots[k] / C, c = chunk_slots[k] % C;
      const float g = dh[pooling.slot_offset(b, c, C, D) + d];
      sum += pooling.multiplies() ? g * P[static_cast<std::size_t>(c) * D + d] : g;
    }
    out[d] = whole_run ? pooling.slot_gradient(sum, C) : sum;
  }
}

// One block per run of more than one chunk (other blocks exit): its chunk sums added in chunk order.
__global__ void sum_long_runs_kernel(const int* __restrict__ run_count, const std::int32_t* __restrict__ unique_ids,
                                     const std::int32_t* __restrict__ partial_counts,
                                     const std::int32_t* __restrict__ partial_offsets,
                                     const float* __restrict__ partials, float* __restrict__ dE, int C, int D,
                                     Pooling pooling) {
  const int run = blockIdx.x;
  if (run >= *run_count || partial_counts[run] == 0) return;
  const float* first = partials + static_cast<std::size_t>(partial_offsets[run]) * D;
  float* row = dE + static_cast<std::size_t>(unique_ids[run]) * D;
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    float sum = 0.0f;
    for (int k = 0; k < partial_counts[run]; ++k) sum += first[static_cast<std::size_t>(k) * D + d];
    row[d] = pooling.slot_gradient(sum, C);
  }
}

__global__ void lazy_adam_kernel(float* __restrict__ param, float* __restrict__ grad, float* __restrict__ m,
                                 float* __restrict__ v, const int* __restrict__ run_count,
                                 const std::int32_t* __restrict__ unique_ids, int D, float beta1, float beta2,
                                 float eps, const float* __restrict__ scalars) {
  const int run = blockIdx.x;
  if (run >= *run_count) return;
  const float step_size = scalars[0], inv_sqrt_bias2 = scalars[1];
  const std::size_t offset = static_cast<std::size_t>(unique_ids[run]) * D;
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    const std::size_t i = offset + d;
    adam_update(param[i], m[i], v[i], grad[i], beta1, beta2, eps, step_size, inv_sqrt_bias2);
    grad[i] = 0.0f;  // the next sorted scatter writes only its own rows
  }
}

}  // namespace

void scatter_add_backward_sorted(const float* dh, const std::int32_t* x, const float* P, float* dE, int rows, int C,
                                 int D, const Pooling& pooling, bool zero_table, SortedScatterWorkspace& ws, int V,
                                 cudaStream_t stream) {
  const int n = rows * C;
  if (zero_table) CUDA_CHECK(cudaMemsetAsync(dE, 0, static_cast<std::size_t>(V) * D * sizeof(float), stream));
  launch(iota_slots_kernel, blocks_for(n, 256), 256, stream, ws.slots.get(), n);
  std::size_t bytes = ws.temp.size();
  // Stable sort: equal ids keep ascending slots, which fixes the summation order.
  CUDA_CHECK(cub::DeviceRadixSort::SortPairs(ws.temp.get(), bytes, x, ws.sorted_ids.get(), ws.slots.get(),
                                             ws.sorted_slots.get(), n, 0, ws.end_bit, stream));
  bytes = ws.temp.size();
  CUDA_CHECK(cub::DeviceRunLengthEncode::Encode(ws.temp.get(), bytes, ws.sorted_ids.get(), ws.unique_ids.get(),
                                                ws.run_lengths.get(), ws.run_count.get(), n, stream));
  bytes = ws.temp.size();
  CUDA_CHECK(cub::DeviceScan::ExclusiveSum(ws.temp.get(), bytes, ws.run_lengths.get(), ws.run_offsets.get(), n, stream));
  launch(count_chunks_kernel, blocks_for(n, 256), 256, stream, ws.run_count.get(), ws.run_lengths.get(),
         ws.chunk_counts.get(), ws.partial_counts.get(), n);
  for (const auto& [counts, offsets] : {std::pair{&ws.chunk_counts, &ws.chunk_offsets},
                                        std::pair{&ws.partial_counts, &ws.partial_offsets}}) {
    bytes = ws.temp.size();
    CUDA_CHECK(cub::DeviceScan::ExclusiveSum(ws.temp.get(), bytes, counts->get(), offsets->get(), n, stream));
  }
  // A run of len slots has ceil(len/K) ≤ len chunks, so n blocks cover every chunk.
  launch(sum_chunks_kernel, n, row_threads(D), stream, ws.run_count.get(), ws.unique_ids.get(), ws.run_lengths.get(),
         ws.run_offsets.get(), ws.chunk_counts.get(), ws.chunk_offsets.get(), ws.partial_offsets.get(),
         ws.sorted_slots.get(), dh, P, ws.partials.get(), dE, C, D, pooling);
  launch(sum_long_runs_kernel, n, row_threads(D), stream, ws.run_count.get(), ws.unique_ids.get(),
         ws.partial_counts.get(), ws.partial_offsets.get(), ws.partials.get(), dE, C, D, pooling);
}

void lazy_adam_step(float* param, float* grad, float* m, float* v, int D, const SortedScatterWorkspace& ws, int max_rows,
                    const OptimizerConfig& config, const float* scalars, cudaStream_t stream) {
  launch(lazy_adam_kernel, max_rows, row_threads(D), stream, param, grad, m, v, ws.run_count.get(), ws.unique_ids.get(),
         D, config.beta1, config.beta2, config.eps, scalars);
}

}  // namespace embgeo::cuda

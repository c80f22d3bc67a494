// Deterministic embedding backward: sort the batch's (id, slot) pairs, run-length encode the sorted ids, and
// reduce each run in a fixed order. Costs a radix sort of N = B·C keys over the atomic path, buys
// bit-identical runs and the list of touched rows that lazy Adam needs.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_run_length_encode.cuh>
#include <cub/device/device_scan.cuh>

#include <algorithm>

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

// One block per run of equal ids (blocks past *run_count exit): the run's dh rows are summed in slot order.
__global__ void reduce_runs_kernel(const int* __restrict__ run_count, const std::int32_t* __restrict__ unique_ids,
                                   const std::int32_t* __restrict__ run_lengths,
                                   const std::int32_t* __restrict__ run_offsets,
                                   const std::int32_t* __restrict__ sorted_slots, const float* __restrict__ dh,
                                   float* __restrict__ dE, int C, int D) {
  const int run = blockIdx.x;
  if (run >= *run_count) return;
  const int begin = run_offsets[run], end = begin + run_lengths[run];
  float* row = dE + static_cast<std::size_t>(unique_ids[run]) * D;
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    float sum = 0.0f;
    for (int k = begin; k < end; ++k) sum += dh[static_cast<std::size_t>(sorted_slots[k] / C) * D + d];
    row[d] = sum / static_cast<float>(C);
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

int row_threads(int D) { return D >= 256 ? 256 : std::max(32, ((D + 31) / 32) * 32); }

}  // namespace

SortedScatterWorkspace::SortedScatterWorkspace(int max_ids, int V)
    : end_bit(std::max(1, 32 - __builtin_clz(static_cast<unsigned>(std::max(V - 1, 1))))),
      slots(max_ids), sorted_ids(max_ids), sorted_slots(max_ids), unique_ids(max_ids), run_lengths(max_ids),
      run_offsets(max_ids), run_count(1) {
  std::size_t sort_bytes = 0, encode_bytes = 0, scan_bytes = 0;
  CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, sort_bytes, slots.get(), sorted_ids.get(), slots.get(),
                                             sorted_slots.get(), max_ids, 0, end_bit));
  CUDA_CHECK(cub::DeviceRunLengthEncode::Encode(nullptr, encode_bytes, sorted_ids.get(), unique_ids.get(),
                                                run_lengths.get(), run_count.get(), max_ids));
  CUDA_CHECK(cub::DeviceScan::ExclusiveSum(nullptr, scan_bytes, run_lengths.get(), run_offsets.get(), max_ids));
  temp = DeviceBuffer<unsigned char>(std::max({sort_bytes, encode_bytes, scan_bytes}));
  // The scan reads all max_ids lengths, past the runs a batch writes: keep the tail defined. No run until the
  // first scatter: lazy Adam reads run_count and must find no rows before then.
  CUDA_CHECK(cudaMemset(run_lengths.get(), 0, run_lengths.size() * sizeof(std::int32_t)));
  CUDA_CHECK(cudaMemset(run_count.get(), 0, sizeof(int)));
  CUDA_CHECK(cudaDeviceSynchronize());  // the legacy-stream memset must land before work on other streams
}

void scatter_add_backward_sorted(const float* dh, const std::int32_t* x, float* dE, int rows, int C, int D,
                                 bool zero_table, SortedScatterWorkspace& ws, int V, cudaStream_t stream) {
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
  launch(reduce_runs_kernel, n, row_threads(D), stream, ws.run_count.get(), ws.unique_ids.get(), ws.run_lengths.get(),
         ws.run_offsets.get(), ws.sorted_slots.get(), dh, dE, C, D);
}

void lazy_adam_step(float* param, float* grad, float* m, float* v, int D, const SortedScatterWorkspace& ws, int max_rows,
                    const OptimizerConfig& config, const float* scalars, cudaStream_t stream) {
  launch(lazy_adam_kernel, max_rows, row_threads(D), stream, param, grad, m, v, ws.run_count.get(), ws.unique_ids.get(),
         D, config.beta1, config.beta2, config.eps, scalars);
}

}  // namespace embgeo::cuda

// The sorted scatter-add's scratch (SortedScatterWorkspace): its buffers, sized once for the largest batch,
// and the CUB scratch its sort, run-length encoding and scans share.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_run_length_encode.cuh>
#include <cub/device/device_scan.cuh>

#include <algorithm>

#include "cuda_check.cuh"
#include "launchers.cuh"

namespace embgeo::cuda {
namespace {

// Partial sums a batch can need: a run longer than one chunk of K slots has ceil(len/K) < 2·len/K chunks, so
// all of them together fewer than 2·n/K.
std::size_t max_partial_rows(int max_ids) {
  return 2 * static_cast<std::size_t>(max_ids) / SortedScatterWorkspace::kChunkSlots + 1;
}

constexpr int kIdBuffers = 10;  // the std::int32_t buffers of max_ids entries below

}  // namespace

std::size_t SortedScatterWorkspace::bytes(int max_ids, int D) {
  return kIdBuffers * static_cast<std::size_t>(max_ids) * sizeof(std::int32_t) +
         max_partial_rows(max_ids) * static_cast<std::size_t>(D) * sizeof(float) + sizeof(int);
}

SortedScatterWorkspace::SortedScatterWorkspace(int max_ids, int V, int D)
    : end_bit(std::max(1, 32 - __builtin_clz(static_cast<unsigned>(std::max(V - 1, 1))))),
      slots(max_ids), sorted_ids(max_ids), sorted_slots(max_ids), unique_ids(max_ids), run_lengths(max_ids),
      run_offsets(max_ids), chunk_counts(max_ids), chunk_offsets(max_ids), partial_counts(max_ids),
      partial_offsets(max_ids), partials(max_partial_rows(max_ids) * static_cast<std::size_t>(D)), run_count(1) {
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

}  // namespace embgeo::cuda

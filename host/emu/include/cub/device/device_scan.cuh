#pragma once
// Stand-in for cub::DeviceScan::ExclusiveSum / InclusiveSum, accumulating in the input type as CUB does.
#include <vector>

#include "embgeo_emu/cub_device_support.hpp"

namespace embgeo_emu::detail {

template <typename InputT, typename OutputT>
cudaError_t prefix_sum(const char* algorithm, bool inclusive, void* d_temp, std::size_t& temp_bytes, const InputT* d_in,
                       OutputT* d_out, long long num_items, cudaStream_t stream) {
  cudaError_t result;
  const std::size_t needed = cub_temp_bytes(num_items, sizeof(InputT));
  if (!cub_prologue(algorithm, d_temp, temp_bytes, needed, num_items, &result)) return result;
  const std::size_t n = static_cast<std::size_t>(num_items);
  if (!require_device_range(algorithm, "d_in", d_in, n * sizeof(InputT)) ||
      !require_device_range(algorithm, "d_out", d_out, n * sizeof(OutputT)))
    return cudaErrorInvalidValue;
  return enqueue(stream, [=] {
    scribble_temp(d_temp, needed);
    std::vector<InputT> in(d_in, d_in + n);  // CUB's scans may work in place
    InputT running{};
    for (std::size_t i = 0; i < n; ++i) {
      if (inclusive) running = static_cast<InputT>(running + in[i]);
      d_out[i] = static_cast<OutputT>(running);
      if (!inclusive) running = static_cast<InputT>(running + in[i]);
    }
  });
}

}  // namespace embgeo_emu::detail

namespace cub {

struct DeviceScan {
  template <typename InputT, typename OutputT, typename NumItemsT>
  static cudaError_t ExclusiveSum(void* d_temp_storage, std::size_t& temp_storage_bytes, const InputT* d_in,
                                  OutputT* d_out, NumItemsT num_items, cudaStream_t stream = 0) {
    return embgeo_emu::detail::prefix_sum("cub::DeviceScan::ExclusiveSum", false, d_temp_storage, temp_storage_bytes,
                                          d_in, d_out, static_cast<long long>(num_items), stream);
  }

  template <typename InputT, typename OutputT, typename NumItemsT>
  static cudaError_t InclusiveSum(void* d_temp_storage, std::size_t& temp_storage_bytes, const InputT* d_in,
                                  OutputT* d_out, NumItemsT num_items, cudaStream_t stream = 0) {
    return embgeo_emu::detail::prefix_sum("cub::DeviceScan::InclusiveSum", true, d_temp_storage, temp_storage_bytes,
                                          d_in, d_out, static_cast<long long>(num_items), stream);
  }
};

}  // namespace cub

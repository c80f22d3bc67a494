#pragma once
// Stand-in for cub::DeviceRunLengthEncode::Encode: the runs of equal consecutive items, their lengths and
// their count.
#include "embgeo_emu/cub_device_support.hpp"

namespace cub {

struct DeviceRunLengthEncode {
  template <typename InputT, typename UniqueT, typename LengthT, typename NumRunsT, typename NumItemsT>
  static cudaError_t Encode(void* d_temp_storage, std::size_t& temp_storage_bytes, const InputT* d_in,
                            UniqueT* d_unique_out, LengthT* d_counts_out, NumRunsT* d_num_runs_out, NumItemsT num_items,
                            cudaStream_t stream = 0) {
    namespace emu = embgeo_emu::detail;
    constexpr const char* kName = "cub::DeviceRunLengthEncode::Encode";
    const long long n = static_cast<long long>(num_items);
    cudaError_t result;
    const std::size_t needed = emu::cub_temp_bytes(n, sizeof(InputT) + sizeof(LengthT));
    if (!emu::cub_prologue(kName, d_temp_storage, temp_storage_bytes, needed, n, &result)) {
      // No items still means zero runs, which the caller will read.
      if (result == cudaSuccess && d_temp_storage != nullptr && n == 0) {
        if (!emu::require_device_range(kName, "d_num_runs_out", d_num_runs_out, sizeof(NumRunsT)))
          return cudaErrorInvalidValue;
        return emu::enqueue(stream, [=] { *d_num_runs_out = 0; });
      }
      return result;
    }
    // The outputs' extent depends on the data (the run count); a GPU would fault past their end, and an
    // instrumented build's ASan reports it here.
    if (!emu::require_device_range(kName, "d_in", d_in, static_cast<std::size_t>(n) * sizeof(InputT)) ||
        !emu::require_device_range(kName, "d_unique_out", d_unique_out, sizeof(UniqueT)) ||
        !emu::require_device_range(kName, "d_counts_out", d_counts_out, sizeof(LengthT)) ||
        !emu::require_device_range(kName, "d_num_runs_out", d_num_runs_out, sizeof(NumRunsT)))
      return cudaErrorInvalidValue;
    return emu::enqueue(stream, [=] {
      emu::scribble_temp(d_temp_storage, needed);
      long long runs = 0;
      for (long long begin = 0; begin < n;) {
        long long end = begin + 1;
        while (end < n && d_in[end] == d_in[begin]) ++end;
        d_unique_out[runs] = d_in[begin];
        d_counts_out[runs] = static_cast<LengthT>(end - begin);
        ++runs;
        begin = end;
      }
      *d_num_runs_out = static_cast<NumRunsT>(runs);
    });
  }
};

}  // namespace cub

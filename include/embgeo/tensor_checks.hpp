#pragma once
// The checks every backend applies before data reaches its ops: sizes of loaded tensors, batch rows, token
// ids (validated on the host, so no out-of-range id ever reaches a kernel) and finite tables.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "embgeo/backend.hpp"

namespace embgeo {

void check_param_sizes(const Params& params, const ModelShape& shape);
void check_rows(int rows, int B);
void check_tensor_size(Tensor t, std::size_t got, std::size_t expected);

// Every id in [0, V); the Error names `what` and the first bad position.
void check_token_ids(const std::vector<std::int32_t>& ids, int V, const char* what);

// A noise table a kernel's binary search can trust: V entries, non-decreasing, the last exactly 2^kNoiseBits.
void check_noise_cdf(const std::vector<std::uint64_t>& cdf, int V);

// Throws unless `values` holds exactly rows×cols finite numbers with rows ≥ 1 and cols ≥ 1; the message
// starts with `what` and names the first non-finite element.
void check_matrix(const std::vector<float>& values, int rows, int cols, const char* what);

}  // namespace embgeo

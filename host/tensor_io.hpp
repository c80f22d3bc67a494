#pragma once
// Size checks shared by the backends' load/read/write paths (internal header).
#include <cstddef>

#include "embgeo/backend.hpp"

namespace embgeo {

void check_param_sizes(const Params& params, const ModelShape& shape);
void check_rows(int rows, int B);
void check_tensor_size(Tensor t, std::size_t got, std::size_t expected);

}  // namespace embgeo

// The checks every backend applies before data reaches its ops (declared in embgeo/tensor_checks.hpp).
#include "embgeo/tensor_checks.hpp"

#include <cmath>

#include "embgeo/error.hpp"

namespace embgeo {

void check_param_sizes(const Params& params, const ModelShape& shape) {
  if (params.embedding.size() != parameter_shape(Tensor::kEmbedding, shape).elems() ||
      params.head_weight.size() != parameter_shape(Tensor::kHeadWeight, shape).elems() ||
      params.head_bias.size() != parameter_shape(Tensor::kHeadBias, shape).elems() ||
      params.position.size() != parameter_shape(Tensor::kPosition, shape).elems())
    fail("parameters do not match the model shape V=", shape.V, " D=", shape.D, " H=", shape.H(),
         " (position table: ", shape.position_elems(), " values)");
}

void check_rows(int rows, int B) {
  if (rows < 1 || rows > B) fail("internal: batch of ", rows, " rows outside [1, B=", B, "]");
}

void check_tensor_size(Tensor t, std::size_t got, std::size_t expected) {
  if (got != expected) fail("tensor ", tensor_name(t), " has ", got, " elements, expected ", expected);
}

void check_token_ids(const std::vector<std::int32_t>& ids, int V, const char* what) {
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (ids[i] < 0 || ids[i] >= V) fail(what, ": token id ", ids[i], " at position ", i, " is outside [0, ", V, ")");
}

void check_noise_cdf(const std::vector<std::uint64_t>& cdf, int V) {
  if (cdf.size() != static_cast<std::size_t>(V)) fail("internal: noise table of ", cdf.size(), " ids for V=", V);
  for (std::size_t v = 1; v < cdf.size(); ++v)
    if (cdf[v] < cdf[v - 1]) fail("internal: noise table decreases at id ", v);
  if (cdf.back() != std::uint64_t{1} << kNoiseBits) fail("internal: noise table ends at ", cdf.back());
}

void check_matrix(const std::vector<float>& values, int rows, int cols, const char* what) {
  if (rows < 1 || cols < 1) fail(what, ": shape ", rows, "x", cols, " must have at least one row and column");
  const std::size_t expected = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  if (values.size() != expected)
    fail(what, ": expected ", rows, "x", cols, " = ", expected, " values, got ", values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      fail(what, ": non-finite value ", values[i], " at row ", i / cols, " column ", i % cols);
}

}  // namespace embgeo

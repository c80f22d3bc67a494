// Symmetric int8 quantization of a table and what it costs: reconstruction error and neighbour churn.
#include <algorithm>
#include <cmath>

#include "embgeo/error.hpp"
#include "inspect/inspect.hpp"

namespace embgeo {

std::vector<float> quantize_int8_roundtrip(const std::vector<float>& values, int V, int D, bool per_row) {
  std::vector<float> out(values.size());
  auto roundtrip = [&](std::size_t begin, std::size_t end) {
    float max_abs = 0;
    for (std::size_t i = begin; i < end; ++i) max_abs = std::max(max_abs, std::fabs(values[i]));
    // Symmetric: q = round(x / scale) in [-127, 127]; -128 is left unused so the range is symmetric.
    const float scale = max_abs > 0 ? max_abs / 127.0f : 1.0f;
    for (std::size_t i = begin; i < end; ++i)
      out[i] = std::clamp(std::nearbyint(values[i] / scale), -127.0f, 127.0f) * scale;
  };
  if (per_row)
    for (int r = 0; r < V; ++r) roundtrip(static_cast<std::size_t>(r) * D, static_cast<std::size_t>(r + 1) * D);
  else
    roundtrip(0, values.size());
  return out;
}

QuantizationReport quantization_report(const EmbeddingTable& table, bool per_row, const IndexMaker& make_index,
                                       const std::vector<int>& queries, int k) {
  if (k < 1) fail("-k must be at least 1");
  QuantizationReport r;
  r.scheme = per_row ? "int8 per-row" : "int8 per-tensor";
  r.queries = static_cast<int>(queries.size());
  r.k = k;
  const std::vector<float> restored = quantize_int8_roundtrip(table.values, table.V, table.D, per_row);
  double err_sq = 0, ref_sq = 0;
  for (std::size_t i = 0; i < restored.size(); ++i) {
    const double e = static_cast<double>(restored[i]) - table.values[i];
    err_sq += e * e;
    ref_sq += static_cast<double>(table.values[i]) * table.values[i];
    r.max_abs_error = std::max(r.max_abs_error, std::fabs(e));
  }
  r.rmse = std::sqrt(err_sq / static_cast<double>(restored.size()));
  r.relative_error = ref_sq > 0 ? std::sqrt(err_sq / ref_sq) : 0;
  // Neighbours of the same query rows, searched in the original and in the restored table.
  const std::unique_ptr<NeighborIndex> original = make_index(table.values), quantized = make_index(restored);
  double overlap = 0;
  for (int q : queries) {
    const std::vector<float> row(table.values.begin() + static_cast<std::ptrdiff_t>(q) * table.D,
                                 table.values.begin() + static_cast<std::ptrdiff_t>(q + 1) * table.D);
    const std::vector<float> qrow(restored.begin() + static_cast<std::ptrdiff_t>(q) * table.D,
                                  restored.begin() + static_cast<std::ptrdiff_t>(q + 1) * table.D);
    const auto a = original->query(row, k, {q}), b = quantized->query(qrow, k, {q});
    int shared = 0;
    for (const metrics::Neighbor& x : a)
      shared += std::any_of(b.begin(), b.end(), [&](const metrics::Neighbor& y) { return y.id == x.id; });
    overlap += a.empty() ? 1.0 : static_cast<double>(shared) / static_cast<double>(a.size());
  }
  r.neighbor_overlap = queries.empty() ? 1.0 : overlap / static_cast<double>(queries.size());
  return r;
}

}  // namespace embgeo

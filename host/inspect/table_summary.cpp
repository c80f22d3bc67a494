// Whole-table statistics and the description of one row.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "inspect/inspect.hpp"

namespace embgeo {

TableSummary summarize_table(const EmbeddingTable& t) {
  TableSummary s;
  s.V = t.V;
  s.D = t.D;
  s.parameters = static_cast<std::int64_t>(t.V) * t.D;
  s.bytes_fp32 = 4.0 * static_cast<double>(s.parameters);
  s.bytes_bf16 = 2.0 * static_cast<double>(s.parameters);
  s.bytes_int8 = static_cast<double>(s.parameters) + 4.0 * t.V;  // int8 values plus one fp32 scale per row
  double sum = 0, sum_sq = 0;
  s.min = s.max = t.values.front();
  for (float v : t.values) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
    s.min = std::min<double>(s.min, v);
    s.max = std::max<double>(s.max, v);
  }
  const double n = static_cast<double>(t.values.size());
  s.mean = sum / n;
  s.stddev = std::sqrt(std::max(0.0, sum_sq / n - s.mean * s.mean));
  const std::vector<double> norms = metrics::row_norms(t.values, t.V, t.D);
  s.norms = metrics::summarize(norms);
  const int shown = std::min(5, t.V);
  // Equal norms go to the lower id in both lists (reading one sorted order backwards would list the
  // smallest ties by descending id).
  auto first_rows = [&](auto comes_first) {
    std::vector<int> order(t.V);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + shown, order.end(), [&](int a, int b) {
      return norms[a] != norms[b] ? comes_first(norms[a], norms[b]) : a < b;
    });
    std::vector<RowNorm> rows;
    for (int i = 0; i < shown; ++i) rows.push_back({order[i], norms[order[i]]});
    return rows;
  };
  s.largest = first_rows(std::greater<double>());
  s.smallest = first_rows(std::less<double>());
  return s;
}

TokenRow describe_row(const EmbeddingTable& t, int id) {
  TokenRow r;
  r.id = id;
  const float* row = &t.values[static_cast<std::size_t>(id) * t.D];
  r.head.assign(row, row + std::min(8, t.D));
  r.norm = std::sqrt(metrics::dot(row, row, t.D));
  std::vector<int> dims(t.D);
  std::iota(dims.begin(), dims.end(), 0);
  const int top = std::min(10, t.D);
  std::partial_sort(dims.begin(), dims.begin() + top, dims.end(),
                    [&](int a, int b) { return std::fabs(row[a]) > std::fabs(row[b]) || (std::fabs(row[a]) == std::fabs(row[b]) && a < b); });
  for (int i = 0; i < top; ++i) r.top_dims.emplace_back(dims[i], row[dims[i]]);
  return r;
}

}  // namespace embgeo

#pragma once
// The performance model of DESIGN.md §4 as numbers: the bytes each op must move and the FLOPs it must do at
// a given shape. Benchmarks (bench/ and `embgeo-cuda bench`) report rates against these floors, not bare
// times, so a result reads as a fraction of what the hardware allows; one model serves them all.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "embgeo/shape.hpp"

namespace embgeo::perf {

struct OpCost {
  double bytes = 0;  // compulsory traffic: every input read once, every output written once
  double flops = 0;  // 0 where the op is purely memory bound and FLOPs say nothing
};

constexpr double kWord = 4;  // fp32 values and int32 ids alike

inline double tokens(const ModelShape& s) { return static_cast<double>(s.B) * s.C; }  // N = B·C

// N ids and N rows of E read, B rows of h written.
inline OpCost gather_mean_cost(const ModelShape& s) {
  const double N = tokens(s);
  return {kWord * (N + N * s.D + static_cast<double>(s.B) * s.D), 0};
}

// h, W and bias read, logits written; 2·B·D·V FLOPs.
inline OpCost head_forward_cost(const ModelShape& s) {
  const double B = s.B, D = s.D, V = s.V;
  return {kWord * (B * D + V * D + V + B * V), 2 * B * D * V};
}

// One pass per row: logits read once, dlogits written in place.
inline OpCost softmax_xent_cost(const ModelShape& s) { return {kWord * 2 * static_cast<double>(s.B) * s.V, 0}; }

// dlogits, h and W read; dW, db and dh written; two GEMMs of 2·B·D·V each plus the bias row sum.
inline OpCost head_backward_cost(const ModelShape& s) {
  const double B = s.B, D = s.D, V = s.V;
  return {kWord * (B * V + B * D + V * D + V * D + V + B * D), 4 * B * D * V + B * V};
}

// dE (V,D) zeroed, N ids and B rows of dh read, and each of the U distinct rows a batch touches read and
// written once (repeats of a row hit cache, so they add atomics, not traffic).
inline OpCost scatter_add_cost(const ModelShape& s, std::size_t unique_rows) {
  const double U = static_cast<double>(unique_rows);
  return {kWord * (static_cast<double>(s.embedding_elems()) + tokens(s) + static_cast<double>(s.B) * s.D + 2 * U * s.D),
          0};
}

// Per element: param, grad, m, v read; param, m, v written.
inline OpCost adam_cost(std::size_t elems) { return {kWord * 7 * static_cast<double>(elems), 0}; }

// U: how many distinct rows of E the ids touch.
inline std::size_t distinct_ids(const std::vector<std::int32_t>& ids, int V) {
  std::vector<bool> seen(static_cast<std::size_t>(V), false);
  for (const std::int32_t id : ids) seen[static_cast<std::size_t>(id)] = true;
  return static_cast<std::size_t>(std::count(seen.begin(), seen.end(), true));
}

// The dense route a lookup avoids: (N×V)·(V×D), 2·N·V·D FLOPs; its bytes are the one-hot matrix, E and out.
inline OpCost onehot_matmul_cost(double N, double V, double D) {
  return {kWord * (N * V + V * D + N * D), 2 * N * V * D};
}

}  // namespace embgeo::perf

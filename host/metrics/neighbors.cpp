// Nearest neighbours of a query vector by cosine (excluded ids left out, ties broken by id) and word2vec-style
// analogies b − a + c.
#include <algorithm>
#include <cmath>
#include <cstddef>

#include "embgeo/error.hpp"
#include "metrics/metrics.hpp"

namespace embgeo::metrics {

std::vector<char> neighbor_query_mask(int V, int D, const float* query, int k, const std::vector<int>& exclude) {
  if (query == nullptr) fail("nearest_neighbors: no query vector");
  for (int d = 0; d < D; ++d)
    if (!std::isfinite(query[d])) fail("nearest_neighbors: non-finite query value ", query[d], " at column ", d);
  if (k < 0) fail("nearest_neighbors: k=", k, " must be non-negative");
  std::vector<char> skip(V, 0);
  for (int id : exclude) {
    if (id < 0 || id >= V) fail("nearest_neighbors: excluded id ", id, " is outside [0, ", V, ")");
    skip[id] = 1;
  }
  return skip;
}

std::vector<Neighbor> top_k_neighbors(const std::vector<double>& cosines, const std::vector<char>& skip, int k) {
  std::vector<Neighbor> candidates;
  for (std::size_t v = 0; v < cosines.size(); ++v)
    if (!skip[v]) candidates.push_back({static_cast<int>(v), cosines[v]});
  const std::size_t keep = std::min(candidates.size(), static_cast<std::size_t>(k));
  std::partial_sort(candidates.begin(), candidates.begin() + keep, candidates.end(),
                    [](const Neighbor& x, const Neighbor& y) {
                      return x.cosine != y.cosine ? x.cosine > y.cosine : x.id < y.id;
                    });
  candidates.resize(keep);
  return candidates;
}

std::vector<Neighbor> nearest_neighbors(const std::vector<float>& table, int V, int D, const float* query, int k,
                                        const std::vector<int>& exclude) {
  check_matrix(table, V, D, "nearest_neighbors");
  const std::vector<char> skip = neighbor_query_mask(V, D, query, k, exclude);
  std::vector<double> cosines(V);
  for (int v = 0; v < V; ++v) cosines[v] = cosine(&table[static_cast<std::size_t>(v) * D], query, D);
  return top_k_neighbors(cosines, skip, k);
}

std::vector<Neighbor> analogy(const std::vector<float>& table, int V, int D, int a, int b, int c, int k) {
  check_matrix(table, V, D, "analogy");
  for (int id : {a, b, c})
    if (id < 0 || id >= V) fail("analogy: id ", id, " is outside [0, ", V, ")");
  std::vector<float> query(D);  // D
  for (int d = 0; d < D; ++d)
    query[d] = table[static_cast<std::size_t>(b) * D + d] - table[static_cast<std::size_t>(a) * D + d] +
               table[static_cast<std::size_t>(c) * D + d];
  return nearest_neighbors(table, V, D, query.data(), k, {a, b, c});
}

}  // namespace embgeo::metrics

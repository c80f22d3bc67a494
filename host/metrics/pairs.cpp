// The token pairs a run follows: the most co-occurring pairs and frequent pairs that never co-occur within
// the window.
#include <algorithm>

#include "embgeo/error.hpp"
#include "metrics/metrics.hpp"

namespace embgeo::metrics {
namespace {

std::vector<TokenPair> most_cooccurring(const Cooccurrence& co, int k) {
  std::vector<TokenPair> pairs;  // every pair a<b that met at least once
  for (int a = 0; a < co.V; ++a)
    for (const ContextCount& entry : co.rows[a])
      if (entry.id > a) pairs.push_back({a, entry.id, entry.count});
  const auto before = [](const TokenPair& x, const TokenPair& y) {
    if (x.cooccurrences != y.cooccurrences) return x.cooccurrences > y.cooccurrences;
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  };
  const std::size_t keep = std::min(pairs.size(), static_cast<std::size_t>(k));
  std::partial_sort(pairs.begin(), pairs.begin() + keep, pairs.end(), before);
  pairs.resize(keep);
  return pairs;
}

std::vector<TokenPair> never_cooccurring(const Cooccurrence& co, int k) {
  const std::vector<int> ranked = tokens_by_frequency(co);
  std::vector<TokenPair> pairs;
  // met[id] marks the context row of the token at rank r, so each candidate check is O(1).
  std::vector<char> met(co.V, 0);
  for (std::size_t r = 1; r < ranked.size() && pairs.size() < static_cast<std::size_t>(k); ++r) {
    const int token = ranked[r];
    for (const ContextCount& entry : co.rows[token]) met[entry.id] = 1;
    for (std::size_t s = 0; s < r && pairs.size() < static_cast<std::size_t>(k); ++s)
      if (!met[ranked[s]]) pairs.push_back({std::min(token, ranked[s]), std::max(token, ranked[s]), 0});
    for (const ContextCount& entry : co.rows[token]) met[entry.id] = 0;
  }
  return pairs;
}

}  // namespace

PairSets choose_pairs(const Cooccurrence& co, int k) {
  if (k < 0) fail("choose_pairs: k=", k, " must be non-negative");
  return {most_cooccurring(co, k), never_cooccurring(co, k)};
}

}  // namespace embgeo::metrics

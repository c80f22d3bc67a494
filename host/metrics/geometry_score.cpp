// The geometry score: Spearman correlation, over pairs of the most frequent tokens, between embedding cosine
// and the cosine of the two tokens' co-occurrence count rows.
#include <cmath>
#include <cstddef>

#include "embgeo/error.hpp"
#include "metrics/metrics.hpp"

namespace embgeo::metrics {
namespace {

// Gram matrix (M×M) of the context-count rows of `tokens`. Accumulated column by column: only tokens that
// share context column c contribute products there, which is far cheaper than merging every pair of sparse
// rows when rows are long.
std::vector<double> context_gram(const Cooccurrence& co, const std::vector<int>& tokens) {
  const std::size_t M = tokens.size();
  struct Entry {
    std::size_t slot;  // index into tokens
    double count;
  };
  std::vector<std::vector<Entry>> columns(co.V);  // V lists
  for (std::size_t i = 0; i < M; ++i)
    for (const ContextCount& entry : co.rows[tokens[i]])
      columns[entry.id].push_back({i, static_cast<double>(entry.count)});

  // Slots enter each column in increasing order, so p ≤ q fills the upper triangle and the diagonal.
  std::vector<double> gram(M * M, 0.0);  // M×M
  for (const std::vector<Entry>& column : columns)
    for (std::size_t p = 0; p < column.size(); ++p)
      for (std::size_t q = p; q < column.size(); ++q)
        gram[column[p].slot * M + column[q].slot] += column[p].count * column[q].count;
  return gram;
}

}  // namespace

double geometry_score(const std::vector<float>& table, int V, int D, const Cooccurrence& co, int max_tokens) {
  check_matrix(table, V, D, "geometry_score");
  if (co.V != V) fail("geometry_score: co-occurrence counts cover V=", co.V, " but the table has V=", V);
  if (max_tokens < 2 || max_tokens > kMaxGeometryTokens)
    fail("geometry_score: max_tokens=", max_tokens, " must be in [2, ", kMaxGeometryTokens, "]");

  std::vector<int> tokens = tokens_by_frequency(co);
  if (tokens.size() > static_cast<std::size_t>(max_tokens)) tokens.resize(max_tokens);
  const std::size_t M = tokens.size();
  if (M < 2) return 0;  // no pair of occurring tokens: nothing to correlate
  const std::vector<double> gram = context_gram(co, tokens);  // M×M
  const std::vector<double> norms = row_norms(table, V, D);   // V

  std::vector<double> embedding_cosines, context_cosines;  // one entry per pair i<j of the M tokens
  embedding_cosines.reserve(M * (M - 1) / 2);
  context_cosines.reserve(M * (M - 1) / 2);
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = i + 1; j < M; ++j) {
      const int a = tokens[i], b = tokens[j];
      embedding_cosines.push_back(cosine_from_dot(
          dot(&table[static_cast<std::size_t>(a) * D], &table[static_cast<std::size_t>(b) * D], D), norms[a],
          norms[b]));
      context_cosines.push_back(
          cosine_from_dot(gram[i * M + j], std::sqrt(gram[i * M + i]), std::sqrt(gram[j * M + j])));
    }
  return spearman(embedding_cosines, context_cosines);
}

}  // namespace embgeo::metrics

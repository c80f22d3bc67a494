// Sparse co-occurrence counts of a token-id sequence: symmetric within a window (count_cooccurrence) or of the
// tokens that follow (count_successors), plus tokens ranked by frequency.
#include <algorithm>
#include <cstddef>

#include "data/corpus.hpp"
#include "embgeo/error.hpp"
#include "metrics/metrics.hpp"

namespace embgeo::metrics {

std::int64_t Cooccurrence::count(int a, int b) const {
  if (a < 0 || a >= V || b < 0 || b >= V) fail("co-occurrence count(", a, ", ", b, "): ids must be in [0, ", V, ")");
  const std::vector<ContextCount>& row = rows[a];
  const auto it = std::lower_bound(row.begin(), row.end(), b,
                                   [](const ContextCount& entry, int id) { return entry.id < id; });
  return it != row.end() && it->id == b ? it->count : 0;
}

namespace {

// Validated inputs and the per-token frequencies both counters start from; rows left empty.
Cooccurrence frequencies_only(const std::vector<std::int32_t>& ids, int V, int window, const char* who) {
  if (V < 1) fail(who, ": vocabulary size ", V, " must be at least 1");
  if (window < 1) fail(who, ": window ", window, " must be at least 1");
  check_token_ids(ids, V, who);
  Cooccurrence co;
  co.V = V;
  co.window = window;
  co.frequency.assign(V, 0);
  for (std::int32_t id : ids) ++co.frequency[id];
  return co;
}

// Row a counts the ids at positions i − before … i + after (i itself left out) around each occurrence i of a.
// Positions are grouped by id (a counting sort), so each row is built in one pass over its token's
// occurrences with a dense V-long scratch counter: memory is O(len(ids) + V) plus the final sparse rows,
// never len(ids) × window.
void count_rows(Cooccurrence& co, const std::vector<std::int32_t>& ids, std::size_t before, std::size_t after) {
  const int V = co.V;
  std::vector<std::size_t> first(static_cast<std::size_t>(V) + 1, 0);  // positions of id a: first[a]..first[a+1]
  for (int a = 0; a < V; ++a) first[a + 1] = first[a] + static_cast<std::size_t>(co.frequency[a]);
  std::vector<std::size_t> positions(ids.size());
  std::vector<std::size_t> cursor(first.begin(), first.end() - 1);
  for (std::size_t i = 0; i < ids.size(); ++i) positions[cursor[ids[i]]++] = i;

  co.rows.resize(V);
  std::vector<std::int64_t> scratch(V, 0);  // V
  std::vector<int> touched;                 // ids with a non-zero scratch count
  const std::size_t n = ids.size();
  for (int a = 0; a < V; ++a) {
    for (std::size_t k = first[a]; k < first[a + 1]; ++k) {
      const std::size_t i = positions[k];
      const std::size_t begin = i >= before ? i - before : 0, end = std::min(n, i + after + 1);
      for (std::size_t j = begin; j < end; ++j)
        if (j != i && scratch[ids[j]]++ == 0) touched.push_back(ids[j]);
    }
    std::sort(touched.begin(), touched.end());
    std::vector<ContextCount>& row = co.rows[a];
    row.reserve(touched.size());
    for (int b : touched) {
      row.push_back({b, scratch[b]});
      scratch[b] = 0;
    }
    touched.clear();
  }
}

}  // namespace

Cooccurrence count_cooccurrence(const std::vector<std::int32_t>& ids, int V, int window) {
  Cooccurrence co = frequencies_only(ids, V, window, "count_cooccurrence");
  count_rows(co, ids, static_cast<std::size_t>(window), static_cast<std::size_t>(window));
  return co;
}

Cooccurrence count_successors(const std::vector<std::int32_t>& ids, int V, int window) {
  Cooccurrence co = frequencies_only(ids, V, window, "count_successors");
  count_rows(co, ids, 0, static_cast<std::size_t>(window));
  return co;
}

std::vector<int> tokens_by_frequency(const Cooccurrence& co) {
  std::vector<int> tokens;
  for (int id = 0; id < co.V; ++id)
    if (co.frequency[id] > 0) tokens.push_back(id);
  std::sort(tokens.begin(), tokens.end(), [&](int x, int y) {
    return co.frequency[x] != co.frequency[y] ? co.frequency[x] > co.frequency[y] : x < y;
  });
  return tokens;
}

}  // namespace embgeo::metrics

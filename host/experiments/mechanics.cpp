// The transformations the experiments apply: id permutations and the second tokenizer of tokenizer-swap.
#include <algorithm>
#include <numeric>

#include "embgeo/error.hpp"
#include "embgeo/philox.hpp"
#include "experiments/experiments.hpp"

namespace embgeo {

std::vector<int> random_permutation(int V, std::uint64_t seed) {
  std::vector<int> perm(V);
  std::iota(perm.begin(), perm.end(), 0);
  // Fisher–Yates with Philox draws, so the permutation is the same on every platform.
  for (int i = V - 1; i > 0; --i) {
    const Philox4 r = philox_draw(seed, RandomStream::kUser, static_cast<std::uint64_t>(i));
    const std::uint64_t wide = (static_cast<std::uint64_t>(r.v[0]) << 32) | r.v[1];
    std::swap(perm[i], perm[static_cast<int>(wide % static_cast<std::uint64_t>(i + 1))]);
  }
  return perm;
}

void permute_corpus(Corpus& corpus, const std::vector<int>& perm) {
  if (static_cast<int>(perm.size()) != corpus.vocab.size()) fail("internal: permutation of the wrong size");
  for (std::int32_t& id : corpus.ids) id = perm[id];
  std::vector<std::string> tokens(perm.size());
  for (std::size_t old_id = 0; old_id < perm.size(); ++old_id) tokens[perm[old_id]] = corpus.vocab.tokens[old_id];
  corpus.vocab.tokens = std::move(tokens);
}

void permute_params(Params& params, const std::vector<int>& perm, int D) {
  const std::size_t V = perm.size();
  if (params.head_bias.size() != V) fail("internal: permutation of the wrong size");
  const std::size_t H = params.head_weight.size() / V;  // D, or C·D with concat pooling
  Params moved = params;
  for (std::size_t old_id = 0; old_id < V; ++old_id) {
    const std::size_t to = static_cast<std::size_t>(perm[old_id]), from = old_id;
    std::copy_n(params.embedding.begin() + from * D, D, moved.embedding.begin() + to * D);
    std::copy_n(params.head_weight.begin() + from * H, H, moved.head_weight.begin() + to * H);
    moved.head_bias[perm[old_id]] = params.head_bias[old_id];
  }
  params = std::move(moved);
}

void shuffle_contexts(std::vector<std::int32_t>& x, int C, std::int64_t first_window, std::uint64_t seed) {
  const std::size_t rows = x.size() / static_cast<std::size_t>(C);
  std::vector<std::int32_t> row(static_cast<std::size_t>(C));
  for (std::size_t r = 0; r < rows; ++r) {
    const auto window = static_cast<std::uint64_t>(first_window) + r;
    const std::vector<int> perm = random_permutation(C, seed ^ (window * 0x9E3779B97F4A7C15ULL));
    std::int32_t* ids = &x[r * C];
    for (int c = 0; c < C; ++c) row[perm[c]] = ids[c];
    std::copy(row.begin(), row.end(), ids);
  }
}

std::vector<int> frequency_order_ids(const Corpus& corpus) {
  const int V = corpus.vocab.size();
  std::vector<std::int64_t> count(V, 0);
  for (std::int32_t id : corpus.ids) ++count[id];
  std::vector<int> by_frequency(V);
  std::iota(by_frequency.begin(), by_frequency.end(), 0);
  std::stable_sort(by_frequency.begin(), by_frequency.end(), [&](int a, int b) { return count[a] > count[b]; });
  std::vector<int> map(V);
  for (int rank = 0; rank < V; ++rank) map[by_frequency[rank]] = rank;
  return map;
}

}  // namespace embgeo

// The exchange names and the per-step byte counts that `train` prints and the README's cost model uses.
#include "embgeo/ranks.hpp"

namespace embgeo {

const char* exchange_name(EmbeddingExchange exchange) {
  return exchange == EmbeddingExchange::kSparse ? "sparse" : "dense";
}

namespace {
double ring_share(int ranks) { return ranks > 1 ? static_cast<double>(ranks - 1) / ranks : 0.0; }
}  // namespace

double embedding_exchange_bytes(EmbeddingExchange exchange, int ranks, const ModelShape& s, int B) {
  if (exchange == EmbeddingExchange::kDense) return 2 * ring_share(ranks) * static_cast<double>(s.embedding_elems()) * 4;
  return ring_share(ranks) * static_cast<double>(B) * (s.C + s.H()) * 4;  // int32 ids and float rows
}

double head_exchange_bytes(int ranks, const ModelShape& s) {
  const double positions = s.pooling.trains_table() ? static_cast<double>(s.position_elems()) : 0.0;
  return 2 * ring_share(ranks) * (static_cast<double>(s.head_weight_elems()) + s.V + positions) * 4;
}

}  // namespace embgeo

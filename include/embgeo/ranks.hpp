#pragma once
// The ranks of a data-parallel run as the backends and the trainer see them: who this process is, how many
// there are, and the host-memory collectives the CPU path and the trainer need. Implemented over MPI in
// host/ranks/; a backend without ranks (nullptr) is a single process, exactly as before ranks existed.
#include <cstddef>
#include <cstdint>

#include "embgeo/shape.hpp"

namespace embgeo {

// How the embedding gradient crosses ranks; the head's (dW, db) always goes by all-reduce.
enum class EmbeddingExchange {
  kDense,   // all-reduce of dE (V,D)
  kSparse,  // all-gather of every rank's context ids (B,C) and pooled-gradient rows dh (B,D): each rank then
            // scatters the whole global batch into dE itself, touching only the batch's rows
};
const char* exchange_name(EmbeddingExchange exchange);  // "dense" or "sparse"

class RankGroup {
 public:
  virtual ~RankGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Element-wise sums over the ranks, in place; every rank receives the same values.
  virtual void all_reduce_sum(float* values, std::size_t count) = 0;
  virtual void all_reduce_sum(double* values, std::size_t count) = 0;
  virtual void all_reduce_min(std::int64_t* values, std::size_t count) = 0;
  // Every rank's `bytes` bytes from `mine`, concatenated in rank order into `all` (size()·bytes).
  virtual void all_gather(const void* mine, std::size_t bytes, void* all) = 0;
  // `bytes` bytes of rank `root` to every rank.
  virtual void broadcast(void* data, std::size_t bytes, int root) = 0;
  // Returns when every rank has called it.
  virtual void barrier() = 0;
};

// Bytes one rank sends and receives per step for the embedding gradient, by the usual ring algorithms: an
// all-reduce moves 2(N−1)/N of the data, an all-gather (N−1)/N of the gathered whole: dense dE (V,D), or the
// sparse exchange's x (B,C) ids and dh (B,H) rows. B is the global batch.
double embedding_exchange_bytes(EmbeddingExchange exchange, int ranks, const ModelShape& shape, int B);
// The same for the head's dW (V,H) and db (V), and a learned position table's dP (C,D): all-reduced either way.
double head_exchange_bytes(int ranks, const ModelShape& shape);

}  // namespace embgeo

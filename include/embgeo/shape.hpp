#pragma once
// The model's dimensions. Letters are named once here and used everywhere:
//   B batch rows, C context length, D embedding dim, V vocabulary, N = B·C gathered tokens,
//   H the head's input width (D for a mean-pool, C·D for concat; pooling.hpp).
#include <cstddef>
#include <cstdint>

#include "embgeo/pooling.hpp"

namespace embgeo {

struct ModelShape {
  ModelShape() = default;
  // The four letters in the order V, D, C, B; the pooling (the plain mean unless given) last.
  ModelShape(int V, int D, int C, int B, Pooling pooling = {}) : V(V), D(D), C(C), B(B), pooling(pooling) {}

  int V = 0;  // vocabulary size
  int D = 16;  // embedding dimension
  int C = 8;   // context length (window of C ids predicts the next)
  int B = 32;  // batch rows
  Pooling pooling;  // how a row's C context rows become h (B,H)

  int H() const { return pooling.head_width(C, D); }
  std::size_t embedding_elems() const { return static_cast<std::size_t>(V) * D; }
  std::size_t head_weight_elems() const { return static_cast<std::size_t>(V) * H(); }
  std::size_t pooled_elems() const { return static_cast<std::size_t>(B) * H(); }  // h and dh
  std::size_t position_elems() const { return pooling.has_table() ? static_cast<std::size_t>(C) * D : 0; }
  std::size_t logits_elems() const { return static_cast<std::size_t>(B) * V; }
};

// Upper bounds that keep every product below 2^63 and refuse obviously absurd requests early.
constexpr int kMaxVocab = 1 << 24;
constexpr int kMaxDim = 1 << 16;
constexpr int kMaxContext = 1 << 12;
constexpr int kMaxBatch = 1 << 20;
constexpr long long kMaxBatchTokens = (1LL << 31) - 1;  // N = B·C indexes kernels' int slots

// Throws embgeo::Error naming the first out-of-range dimension.
void validate_shape(const ModelShape& shape);

// The range check validate_shape applies to each dimension, for options that give one alone (`what` names
// the option): "--dim must be in [1, 65536], got 0".
void check_dimension(const char* what, long long value, long long max);

}  // namespace embgeo

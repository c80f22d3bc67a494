#pragma once
// The trainable tensors of the model, row-major, as host vectors.
#include <cstdint>
#include <vector>

#include "embgeo/shape.hpp"

namespace embgeo {

struct Params {
  std::vector<float> embedding;    // E (V,D)
  std::vector<float> head_weight;  // W (V,H)
  std::vector<float> head_bias;    // b (V)
  std::vector<float> position;     // P (C,D); empty with --position none
};

// PyTorch's default initialization (nn.Embedding: N(0,1); nn.Linear: weight and bias U(±1/√H)), drawn
// from Philox streams of `seed` so every backend starts from bit-identical parameters. A position table: the
// sinusoidal formula, or learned: N(0,1) when added (an nn.Embedding(C,D)), all ones when multiplied, so the
// run starts as the plain pooling instead of scrambling the sign of each slot's coordinates.
Params init_params(const ModelShape& shape, std::uint64_t seed);

}  // namespace embgeo

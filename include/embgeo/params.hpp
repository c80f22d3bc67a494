#pragma once
// The trainable tensors of the model, row-major, as host vectors.
#include <cstdint>
#include <vector>

#include "embgeo/shape.hpp"

namespace embgeo {

struct Params {
  std::vector<float> embedding;    // E (V,D)
  std::vector<float> head_weight;  // W (V,D)
  std::vector<float> head_bias;    // b (V)
};

// PyTorch's default initialization (nn.Embedding: N(0,1); nn.Linear: weight and bias U(±1/√D)), drawn
// from Philox streams of `seed` so every backend starts from bit-identical parameters.
Params init_params(const ModelShape& shape, std::uint64_t seed);

}  // namespace embgeo

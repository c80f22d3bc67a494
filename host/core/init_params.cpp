// Initial parameters from the seed through Philox, so every backend starts from the same values: E ~ N(0, 1),
// W and b ~ U(−1/√H, 1/√H), a learned position table as params.hpp says, each tensor drawn from its own random stream.
#include <cmath>

#include "embgeo/params.hpp"
#include "embgeo/philox.hpp"

namespace embgeo {
namespace {

// Each element i takes lane 0 (and 1 for Box–Muller) of draw i in its own stream, so a tensor's values
// do not depend on the other tensors' sizes.
void fill_normal(std::vector<float>& out, std::uint64_t seed, RandomStream stream) {
  constexpr double kTwoPi = 6.283185307179586;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Philox4 r = philox_draw(seed, stream, i);
    const double u1 = (static_cast<double>(r.v[0] >> 8) + 1.0) / 16777216.0;  // (0, 1]: log stays finite
    const double u2 = static_cast<double>(r.v[1] >> 8) / 16777216.0;
    out[i] = static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2));
  }
}

void fill_uniform(std::vector<float>& out, float bound, std::uint64_t seed, RandomStream stream) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Philox4 r = philox_draw(seed, stream, i);
    out[i] = (2.0f * uniform01(r.v[0]) - 1.0f) * bound;
  }
}

}  // namespace

Params init_params(const ModelShape& shape, std::uint64_t seed) {
  Params p;
  p.embedding.resize(shape.embedding_elems());
  p.head_weight.resize(shape.head_weight_elems());
  p.head_bias.resize(shape.V);
  const float bound = 1.0f / std::sqrt(static_cast<float>(shape.H()));
  fill_normal(p.embedding, seed, RandomStream::kInitEmbedding);
  fill_uniform(p.head_weight, bound, seed, RandomStream::kInitHeadWeight);
  fill_uniform(p.head_bias, bound, seed, RandomStream::kInitHeadBias);
  const Pooling& pooling = shape.pooling;
  if (pooling.position == Position::kSinusoidal) {
    p.position = sinusoidal_table(shape.C, shape.D);
  } else if (pooling.trains_table()) {
    p.position.resize(shape.position_elems(), 1.0f);
    if (!pooling.multiplies()) fill_normal(p.position, seed, RandomStream::kInitPosition);
  }
  return p;
}

}  // namespace embgeo

// Synthetic token streams (uniform and Zipf) drawn from the synthetic-corpus Philox stream.
#include "embgeo/synthetic_ids.hpp"

#include <algorithm>
#include <cmath>

#include "embgeo/philox.hpp"

namespace embgeo {

std::vector<std::int32_t> synthetic_corpus(int V, std::size_t tokens, std::uint64_t seed) {
  std::vector<std::int32_t> ids(tokens);
  for (std::size_t i = 0; i < tokens; ++i)
    ids[i] = static_cast<std::int32_t>(philox_draw(seed, RandomStream::kSyntheticCorpus, i).v[0] % static_cast<std::uint32_t>(V));
  return ids;
}

std::vector<std::int32_t> zipf_ids(int V, std::size_t tokens, double exponent, std::uint64_t seed) {
  std::vector<double> cdf(static_cast<std::size_t>(V));
  double total = 0;
  for (int k = 0; k < V; ++k) cdf[static_cast<std::size_t>(k)] = total += std::pow(k + 1.0, -exponent);
  std::vector<std::int32_t> ids(tokens);
  for (std::size_t i = 0; i < tokens; ++i) {
    // 53 random bits: a 24-bit uniform could not reach the tail ranks, whose probability is below 2^-24.
    const Philox4 r = philox_draw(seed, RandomStream::kSyntheticCorpus, i);
    const double u = static_cast<double>((static_cast<std::uint64_t>(r.v[2]) << 21) | (r.v[3] >> 11)) * 0x1p-53 * total;
    const auto rank = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
    ids[i] = static_cast<std::int32_t>(std::min<std::ptrdiff_t>(rank, V - 1));
  }
  return ids;
}

}  // namespace embgeo

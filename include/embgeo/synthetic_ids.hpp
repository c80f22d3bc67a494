#pragma once
// Synthetic token streams for checks and benchmarks, drawn from Philox so every backend and run sees the same ids.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace embgeo {

// Uniform random ids in [0, V) from the synthetic-corpus Philox stream.
std::vector<std::int32_t> synthetic_corpus(int V, std::size_t tokens, std::uint64_t seed);

// Zipf-distributed ids (P(id = k) ∝ 1/(k+1)^exponent): the heavy repeats of real text, for scatter-add.
std::vector<std::int32_t> zipf_ids(int V, std::size_t tokens, double exponent, std::uint64_t seed);

}  // namespace embgeo

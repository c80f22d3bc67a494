#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based
// generator, so host and device draw the same numbers for the same (key, counter) without sharing state.
// Batch sampling and initialization both use it, which is what lets CPU and GPU runs be compared step by step.
#include <cstdint>

#include "embgeo/host_device.hpp"

namespace embgeo {

struct Philox4 {
  std::uint32_t v[4];
};

EMBGEO_HOST_DEVICE void philox_mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
  const std::uint64_t product = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<std::uint32_t>(product >> 32);
  lo = static_cast<std::uint32_t>(product);
}

EMBGEO_HOST_DEVICE Philox4 philox4x32_10(Philox4 counter, std::uint32_t key0, std::uint32_t key1) {
  constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    std::uint32_t hi0, lo0, hi1, lo1;
    philox_mulhilo(kMul0, counter.v[0], hi0, lo0);
    philox_mulhilo(kMul1, counter.v[2], hi1, lo1);
    counter = Philox4{{hi1 ^ counter.v[1] ^ key0, lo1, hi0 ^ counter.v[3] ^ key1, lo0}};
    key0 += kWeyl0;
    key1 += kWeyl1;
  }
  return counter;
}

// Independent streams drawn from one seed; the value goes into the last counter word.
enum class RandomStream : std::uint32_t {
  kBatch = 1,
  kInitEmbedding = 2,
  kInitHeadWeight = 3,
  kInitHeadBias = 4,
  kSyntheticCorpus = 5,
  kNoise = 6,  // negative sampling's noise ids
  kInitPosition = 7,
  kUser = 16,  // first value free for tests and experiments
};

// Four 32-bit draws for (seed, stream, index, lane).
EMBGEO_HOST_DEVICE Philox4 philox_draw(std::uint64_t seed, RandomStream stream, std::uint64_t index) {
  const Philox4 counter{{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32), 0u,
                         static_cast<std::uint32_t>(stream)}};
  return philox4x32_10(counter, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

// The draw of batch row `row` of step `step`: lanes 0-1 pick its window, lanes 2-3 skip-gram's pair.
EMBGEO_HOST_DEVICE Philox4 batch_row_draw(std::uint64_t seed, std::int64_t step, int row) {
  const Philox4 counter{{static_cast<std::uint32_t>(step), static_cast<std::uint32_t>(static_cast<std::uint64_t>(step) >> 32),
                         static_cast<std::uint32_t>(row), static_cast<std::uint32_t>(RandomStream::kBatch)}};
  return philox4x32_10(counter, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

// Index of the training window that batch row `row` of step `step` reads, uniform over [0, window_count).
// The 64-bit draw makes the modulo bias negligible (< window_count / 2^64).
EMBGEO_HOST_DEVICE std::int64_t sample_window(std::uint64_t seed, std::int64_t step, int row,
                                              std::int64_t window_count) {
  const Philox4 r = batch_row_draw(seed, step, row);
  const std::uint64_t wide = (static_cast<std::uint64_t>(r.v[0]) << 32) | r.v[1];
  return static_cast<std::int64_t>(wide % static_cast<std::uint64_t>(window_count));
}

// Which of its window's `context` ids skip-gram's row `row` predicts, uniform over [0, context).
EMBGEO_HOST_DEVICE int sample_pair(std::uint64_t seed, std::int64_t step, int row, int context) {
  const Philox4 r = batch_row_draw(seed, step, row);
  const std::uint64_t wide = (static_cast<std::uint64_t>(r.v[2]) << 32) | r.v[3];
  return static_cast<int>(wide % static_cast<std::uint64_t>(context));
}

// Uniform float in [0, 1) from the top 24 bits of a draw (exactly representable).
EMBGEO_HOST_DEVICE float uniform01(std::uint32_t bits) { return static_cast<float>(bits >> 8) * (1.0f / 16777216.0f); }

}  // namespace embgeo

#pragma once
// Negative sampling, word2vec's practical loss: a row's target against K noise ids drawn from the training
// text's unigram distribution raised to 0.75, scored by a gather-dot on the output table instead of the V-wide
// head GEMM and softmax. With t_0 = y and t_1..t_K the noise ids of a row with pooled vector h:
//   s_j = h·W[t_j] + b[t_j]      loss = −log σ(s_0) − Σ_k log σ(−s_k)
//   ds_0 = σ(s_0) − 1, ds_k = σ(s_k);  dh = Σ_j ds_j·W[t_j],  dW[t_j] += ds_j·h,  db[t_j] += ds_j
// A noise id equal to the target counts as noise, as in word2vec's loss (gensim redraws it; the difference is
// a fraction p(target)·K of a row's noise).
#include <cstdint>
#include <string>
#include <vector>

#include "embgeo/host_device.hpp"
#include "embgeo/philox.hpp"

namespace embgeo {

enum class Loss : std::int32_t { kSoftmax, kNegativeSampling };

const char* loss_name(Loss loss);      // "softmax", "negative-sampling"
Loss parse_loss(const std::string& name);  // one-line Error naming the choices

constexpr int kDefaultNegatives = 5;
constexpr int kMaxNegatives = 1024;

// The noise distribution in fixed point, so host and device draw the same ids with integer arithmetic:
// cdf[v] = ⌊2^40 · Σ_{u≤v} n_u^0.75 / Σ_u n_u^0.75⌋ for counts n_u of ids[0, n); cdf[V−1] = 2^40.
constexpr int kNoiseBits = 40;
std::vector<std::uint64_t> noise_cdf(const std::int32_t* ids, std::size_t n, int V);

// Noise id k (1..K) of batch row `row` at step `step`: the first v with cdf[v] > a 40-bit Philox draw. An id
// that never occurs in the text has cdf[v] = cdf[v−1] and is never drawn.
EMBGEO_HOST_DEVICE std::int32_t sample_noise(std::uint64_t seed, std::int64_t step, int row, int k,
                                             const std::uint64_t* cdf, int V) {
  const Philox4 counter{{static_cast<std::uint32_t>(step), static_cast<std::uint32_t>(row), static_cast<std::uint32_t>(k),
                         static_cast<std::uint32_t>(RandomStream::kNoise)}};
  const Philox4 r = philox4x32_10(counter, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
  const std::uint64_t draw = ((static_cast<std::uint64_t>(r.v[0]) << 32) | r.v[1]) >> (64 - kNoiseBits);
  int lo = 0, hi = V - 1;  // the answer lies in [lo, hi]: cdf[V−1] = 2^40 > draw
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (cdf[mid] > draw)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

}  // namespace embgeo

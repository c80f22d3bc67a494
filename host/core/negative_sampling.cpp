// Names of the losses and negative sampling's noise distribution (negative_sampling.hpp).
#include "embgeo/negative_sampling.hpp"

#include <cmath>

#include "embgeo/error.hpp"

namespace embgeo {

const char* loss_name(Loss loss) { return loss == Loss::kNegativeSampling ? "negative-sampling" : "softmax"; }

Loss parse_loss(const std::string& name) {
  for (const Loss l : {Loss::kSoftmax, Loss::kNegativeSampling})
    if (name == loss_name(l)) return l;
  fail("--loss must be softmax or negative-sampling, got '", name, "'");
}

std::vector<std::uint64_t> noise_cdf(const std::int32_t* ids, std::size_t n, int V) {
  if (n == 0) fail("internal: negative sampling needs a non-empty training text");
  std::vector<std::int64_t> counts(static_cast<std::size_t>(V), 0);
  for (std::size_t i = 0; i < n; ++i) ++counts[static_cast<std::size_t>(ids[i])];
  std::vector<double> cumulative(static_cast<std::size_t>(V));
  double total = 0;
  for (int v = 0; v < V; ++v) cumulative[v] = total += std::pow(static_cast<double>(counts[v]), 0.75);
  constexpr double kScale = static_cast<double>(std::uint64_t{1} << kNoiseBits);
  std::vector<std::uint64_t> cdf(static_cast<std::size_t>(V));
  for (int v = 0; v < V; ++v) cdf[v] = static_cast<std::uint64_t>(std::floor(cumulative[v] / total * kScale));
  cdf[V - 1] = std::uint64_t{1} << kNoiseBits;  // exactly, whatever the rounding of the sum
  return cdf;
}

}  // namespace embgeo

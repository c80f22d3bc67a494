#pragma once
// Gradient checks shared by the CPU reference's tests: random inputs from Philox, and central finite
// differences of a loss against an analytic gradient.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "embgeo/philox.hpp"

namespace embgeo::testing_support {

inline std::vector<float> random_vector(std::size_t n, std::uint64_t seed, float scale = 1.0f) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = (2.0f * uniform01(philox_draw(seed, RandomStream::kUser, i).v[0]) - 1.0f) * scale;
  return v;
}

inline std::vector<std::int32_t> random_ids(std::size_t n, int V, std::uint64_t seed) {
  std::vector<std::int32_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = static_cast<std::int32_t>(philox_draw(seed, RandomStream::kUser, i).v[1] % V);
  return ids;
}

// Central difference of `loss` with respect to every element of `param`, compared with `analytic`.
inline void expect_matches_finite_differences(std::vector<float>& param, const std::vector<float>& analytic,
                                              const std::function<double()>& loss, const char* what) {
  ASSERT_EQ(param.size(), analytic.size());
  constexpr float kStep = 1e-2f;
  for (std::size_t i = 0; i < param.size(); ++i) {
    const float saved = param[i];
    param[i] = saved + kStep;
    const double up = loss();
    param[i] = saved - kStep;
    const double down = loss();
    param[i] = saved;
    const double numeric = (up - down) / (2.0 * kStep);
    EXPECT_NEAR(analytic[i], numeric, 2e-3 + 1e-2 * std::fabs(numeric)) << what << "[" << i << "]";
  }
}

}  // namespace embgeo::testing_support

// The CPU reference is the judge of the GPU, so its own gradients are checked against central finite
// differences: every backward op is the derivative of its forward op.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "cpu/reference/cpu_ops.hpp"
#include "embgeo/negative_sampling.hpp"
#include "embgeo/philox.hpp"
#include "finite_differences.hpp"

namespace embgeo {
namespace {

using testing_support::expect_matches_finite_differences;
using testing_support::random_ids;
using testing_support::random_vector;

double weighted_sum(const std::vector<float>& out, const std::vector<float>& weights) {
  double sum = 0;
  for (std::size_t i = 0; i < out.size(); ++i) sum += static_cast<double>(out[i]) * weights[i];
  return sum;
}

// Negative sampling's dh, dW and db are the derivatives of its loss, with the noise ids held fixed (they depend
// on seed and step only); V = 6 and K = 4 make noise ids repeat within a row and hit the targets.
TEST(CpuGradients, NegativeSamplingGradientsAreTheDerivativesOfItsLoss) {
  const int B = 3, K = 4, D = 5, V = 6;
  const std::vector<std::int32_t> text = random_ids(200, V, 7);
  const std::vector<std::uint64_t> cdf = noise_cdf(text.data(), text.size(), V);
  std::vector<float> h = random_vector(B * D, 4), W = random_vector(V * D, 5), bias = random_vector(V, 6, 0.5f);
  const std::vector<std::int32_t> y = {2, 0, 2};
  std::vector<std::int32_t> ids(B * (K + 1));
  std::vector<float> dh(B * D), dW(V * D), db(V), scratch_dh(dh), scratch_dW(dW), scratch_db(db);
  const auto loss = [&](float* out_dh, float* out_dW, float* out_db) {
    return cpu::negative_sampling_forward_backward(h.data(), W.data(), bias.data(), y.data(), cdf.data(), 11, 3, 0,
                                                   ids.data(), out_dh, out_dW, out_db, B, K, D, V, 1.0f);
  };
  loss(dh.data(), dW.data(), db.data());
  const auto loss_only = [&] { return loss(scratch_dh.data(), scratch_dW.data(), scratch_db.data()); };
  expect_matches_finite_differences(h, dh, loss_only, "dh");
  expect_matches_finite_differences(W, dW, loss_only, "dW");
  expect_matches_finite_differences(bias, db, loss_only, "db");
  for (int b = 0; b < B; ++b) EXPECT_EQ(ids[b * (K + 1)], y[b]);  // slot 0 is the target
}

TEST(CpuGradients, ScatterAddIsTheGradientOfGatherMean) {
  const int B = 3, C = 4, D = 5, V = 6;
  std::vector<float> E = random_vector(V * D, 1);
  const std::vector<float> R = random_vector(B * D, 2);  // L = Σ h ⊙ R, so dL/dh = R
  const std::vector<std::int32_t> x = {0, 1, 1, 5, 2, 2, 2, 2, 3, 0, 4, 3};  // repeats within and across rows
  std::vector<float> h(B * D), dE(V * D);
  cpu::scatter_add_backward(R.data(), x.data(), nullptr, dE.data(), B, C, D, V, Pooling{});
  expect_matches_finite_differences(E, dE, [&] {
    cpu::gather_pool_forward(x.data(), E.data(), nullptr, h.data(), B, C, D, Pooling{});
    return weighted_sum(h, R);
  }, "dE");
}

TEST(CpuGradients, HeadBackwardIsTheGradientOfHeadForward) {
  const int B = 4, D = 3, V = 7;
  std::vector<float> h = random_vector(B * D, 3), W = random_vector(V * D, 4), bias = random_vector(V, 5);
  const std::vector<float> R = random_vector(B * V, 6);
  std::vector<float> logits(B * V), dW(V * D), db(V), dh(B * D);
  cpu::head_backward(R.data(), h.data(), W.data(), dW.data(), db.data(), dh.data(), B, D, V);
  const auto loss = [&] {
    cpu::head_forward(h.data(), W.data(), bias.data(), logits.data(), B, D, V);
    return weighted_sum(logits, R);
  };
  expect_matches_finite_differences(W, dW, loss, "dW");
  expect_matches_finite_differences(bias, db, loss, "db");
  expect_matches_finite_differences(h, dh, loss, "dh");
}

TEST(CpuGradients, SoftmaxXentGradientIsTheDerivativeOfItsLoss) {
  const int B = 3, V = 5;
  std::vector<float> logits = random_vector(B * V, 7, 3.0f);
  const std::vector<std::int32_t> y = {4, 0, 2};
  std::vector<float> grad = logits;
  cpu::softmax_xent_forward_backward(grad.data(), y.data(), B, V, 1.0f);
  expect_matches_finite_differences(logits, grad, [&] {
    std::vector<float> scratch = logits;
    return cpu::softmax_xent_forward_backward(scratch.data(), y.data(), B, V, 1.0f);
  }, "dlogits");
}

TEST(CpuGradients, SoftmaxXentIsStableForHugeLogits) {
  std::vector<float> logits = {1000.0f, 0.0f, -1000.0f};
  const std::int32_t y = 0;
  const double loss = cpu::softmax_xent_forward_backward(logits.data(), &y, 1, 3, 1.0f);
  EXPECT_NEAR(loss, 0.0, 1e-12);
  EXPECT_NEAR(logits[0], 0.0f, 1e-6);
  EXPECT_NEAR(logits[1], 0.0f, 1e-6);
  // Uniform logits: loss = ln V exactly, gradient p − onehot = 1/V − [v == y].
  std::vector<float> flat(4, 2.5f);
  const std::int32_t target = 3;
  EXPECT_NEAR(cpu::softmax_xent_forward_backward(flat.data(), &target, 1, 4, 0.5f), std::log(4.0), 1e-12);
  EXPECT_FLOAT_EQ(flat[0], 0.125f);
  EXPECT_FLOAT_EQ(flat[3], -0.375f);
}

TEST(CpuGradients, WholeModelBackwardMatchesFiniteDifferences) {
  const int B = 4, C = 3, D = 5, V = 6;
  std::vector<float> E = random_vector(V * D, 8), W = random_vector(V * D, 9, 0.5f), bias = random_vector(V, 10, 0.5f);
  const std::vector<std::int32_t> x = random_ids(B * C, V, 11), y = random_ids(B, V, 12);
  std::vector<float> h(B * D), logits(B * V), dW(V * D), db(V), dh(B * D), dE(V * D);
  const auto mean_loss = [&] {
    cpu::gather_pool_forward(x.data(), E.data(), nullptr, h.data(), B, C, D, Pooling{});
    cpu::head_forward(h.data(), W.data(), bias.data(), logits.data(), B, D, V);
    return cpu::softmax_xent_forward_backward(logits.data(), y.data(), B, V, 1.0f / B) / B;
  };
  mean_loss();  // leaves dlogits in `logits`
  cpu::head_backward(logits.data(), h.data(), W.data(), dW.data(), db.data(), dh.data(), B, D, V);
  cpu::scatter_add_backward(dh.data(), x.data(), nullptr, dE.data(), B, C, D, V, Pooling{});
  expect_matches_finite_differences(E, dE, mean_loss, "dE");
  expect_matches_finite_differences(W, dW, mean_loss, "dW");
  expect_matches_finite_differences(bias, db, mean_loss, "db");
}

TEST(CpuOps, AdamFirstStepMovesEachParameterByLrTimesSignOfGradient) {
  // t = 1 from zero moments: m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g).
  OptimizerConfig config;
  config.lr = 0.1f;
  std::vector<float> p = {1.0f, 1.0f, 1.0f}, g = {0.5f, -2.0f, 0.0f}, m(3, 0.0f), v(3, 0.0f);
  cpu::adam_step(p.data(), g.data(), m.data(), v.data(), 3, config, 1);
  EXPECT_NEAR(p[0], 0.9f, 1e-6);
  EXPECT_NEAR(p[1], 1.1f, 1e-6);
  EXPECT_EQ(p[2], 1.0f);
  EXPECT_FLOAT_EQ(m[0], 0.05f);
  EXPECT_NEAR(v[1], 0.001 * 4.0, 1e-7);  // (1 − β2) is 0.000999987 in float
  // t = 2 with the same gradient: m = 0.095, v = 0.0019975·g²; m̂ = 0.095/0.19 = g, v̂ = g², step lr·sign(g) again.
  cpu::adam_step(p.data(), g.data(), m.data(), v.data(), 3, config, 2);
  EXPECT_NEAR(p[0], 0.8f, 1e-6);
}

TEST(CpuOps, SampleBatchReadsWindowsAndTargets) {
  const std::vector<std::int32_t> corpus = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  const int B = 16, C = 3;
  std::vector<std::int32_t> x(B * C), y(B);
  cpu::sample_batch(corpus.data(), 5, 1, 2, 4, x.data(), y.data(), B, WindowLayout{Objective::kNext, C});  // windows 2..5
  for (int b = 0; b < B; ++b) {
    const int w = x[b * C];
    EXPECT_GE(w, 2);
    EXPECT_LE(w, 5);
    EXPECT_EQ(x[b * C + 1], w + 1);
    EXPECT_EQ(x[b * C + 2], w + 2);
    EXPECT_EQ(y[b], w + 3);
  }
}

TEST(CpuOps, OnehotMatmulEqualsGather) {
  const int V = 7, D = 3;
  const std::vector<float> E = random_vector(V * D, 13);
  const std::vector<std::int32_t> ids = {6, 0, 3, 3};
  std::vector<float> onehot(ids.size() * D), gathered(ids.size() * D);
  cpu::onehot_matmul(ids.data(), E.data(), onehot.data(), 4, V, D);
  cpu::gather_pool_forward(ids.data(), E.data(), nullptr, gathered.data(), 4, 1, D, Pooling{});
  EXPECT_EQ(onehot, gathered);
  EXPECT_EQ(gathered[0], E[6 * D]);
}

}  // namespace
}  // namespace embgeo

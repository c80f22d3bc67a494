// Position tables and concat pooling (pooling.hpp): the sinusoidal table against its formula, the gradients of
// the table and of the concat path against finite differences, the order-blindness of an added table under a
// mean-pool, training and resuming on the CPU, and the refusals and notice on the command line.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <sstream>

#include "cli_runner.hpp"
#include "cpu/reference/cpu_ops.hpp"
#include "embgeo/error.hpp"
#include "finite_differences.hpp"
#include "resume_check.hpp"
#include "test_support.hpp"
#include "train/checkpoint.hpp"
#include "train/run.hpp"

namespace embgeo {
namespace {

using testing_support::CliResult;
using testing_support::contains;
using testing_support::expect_one_line_error;
using testing_support::run_cli;
using testing_support::slurp;
using testing_support::TempDir;

using testing_support::expect_matches_finite_differences;
using testing_support::random_vector;

const Pooling kPoolings[] = {
    {Pool::kMean, Position::kLearned, PositionMode::kAdd},    {Pool::kMean, Position::kLearned, PositionMode::kMultiply},
    {Pool::kConcat, Position::kNone, PositionMode::kAdd},     {Pool::kConcat, Position::kLearned, PositionMode::kAdd},
    {Pool::kConcat, Position::kLearned, PositionMode::kMultiply}};

std::string describe(const Pooling& p) { return pooling_description(p); }

TEST(Pooling, SinusoidalTableFollowsItsFormula) {
  const int C = 5, D = 6;
  const std::vector<float> P = sinusoidal_table(C, D);
  ASSERT_EQ(P.size(), static_cast<std::size_t>(C * D));
  for (int d = 0; d < D; ++d) EXPECT_EQ(P[d], d % 2 == 0 ? 0.0f : 1.0f) << d;  // position 0: sin 0, cos 0
  EXPECT_FLOAT_EQ(P[1 * D + 0], std::sin(1.0f));
  EXPECT_FLOAT_EQ(P[1 * D + 1], std::cos(1.0f));
  // d = 4, 5 share the frequency 1/10000^(4/6).
  EXPECT_FLOAT_EQ(P[3 * D + 4], static_cast<float>(std::sin(3.0 / std::pow(10000.0, 4.0 / 6.0))));
  EXPECT_FLOAT_EQ(P[3 * D + 5], static_cast<float>(std::cos(3.0 / std::pow(10000.0, 4.0 / 6.0))));
  EXPECT_FLOAT_EQ(P[4 * D + 2], static_cast<float>(std::sin(4.0 / std::pow(10000.0, 2.0 / 6.0))));
  // And it is what a run with --position sinusoidal starts from, whatever the seed.
  const ModelShape shape{10, D, C, 4, {Pool::kMean, Position::kSinusoidal, PositionMode::kAdd}};
  EXPECT_EQ(init_params(shape, 1).position, P);
  EXPECT_EQ(init_params(shape, 2).position, P);
}

TEST(Pooling, LearnedTablesStartAsNnEmbeddingWhenAddedAndAsOnesWhenMultiplied) {
  const ModelShape added{10, 4, 3, 2, {Pool::kMean, Position::kLearned, PositionMode::kAdd}};
  const ModelShape multiplied{10, 4, 3, 2, {Pool::kMean, Position::kLearned, PositionMode::kMultiply}};
  const std::vector<float> a = init_params(added, 3).position, m = init_params(multiplied, 3).position;
  ASSERT_EQ(a.size(), 12u);
  EXPECT_EQ(m, std::vector<float>(12, 1.0f));
  EXPECT_NE(a, init_params(added, 4).position);  // drawn from the seed
  EXPECT_TRUE(init_params(ModelShape{10, 4, 3, 2}, 3).position.empty());
  // Concat widens the head to C·D, and PyTorch's Linear bound follows its fan-in.
  const ModelShape concat{10, 4, 3, 2, {Pool::kConcat, Position::kNone, PositionMode::kAdd}};
  const Params p = init_params(concat, 3);
  EXPECT_EQ(p.head_weight.size(), 10u * 12u);
  for (const float w : p.head_weight) EXPECT_LE(std::fabs(w), 1.0f / std::sqrt(12.0f));
}

// L = Σ h ⊙ R for a fixed R, so dL/dh = R: scatter_add_backward and position_backward fed R must be the
// derivatives of gather_pool_forward with respect to E and P.
TEST(Pooling, EmbeddingAndPositionGradientsAreTheDerivativesOfTheGather) {
  const int B = 3, C = 4, D = 5, V = 6;
  const std::vector<std::int32_t> x = {0, 1, 1, 5, 2, 2, 2, 2, 3, 0, 4, 3};  // repeats within and across rows
  for (const Pooling& pooling : kPoolings) {
    SCOPED_TRACE(describe(pooling));
    const int H = pooling.head_width(C, D);
    std::vector<float> E = random_vector(V * D, 1), P = random_vector(C * D, 2);
    const std::vector<float> R = random_vector(static_cast<std::size_t>(B) * H, 3);
    std::vector<float> h(static_cast<std::size_t>(B) * H), dE(V * D), dP(C * D);
    cpu::scatter_add_backward(R.data(), x.data(), P.data(), dE.data(), B, C, D, V, pooling);
    cpu::position_backward(R.data(), x.data(), E.data(), dP.data(), B, C, D, pooling);
    const auto loss = [&] {
      cpu::gather_pool_forward(x.data(), E.data(), P.data(), h.data(), B, C, D, pooling);
      double sum = 0;
      for (std::size_t i = 0; i < h.size(); ++i) sum += static_cast<double>(h[i]) * R[i];
      return sum;
    };
    expect_matches_finite_differences(E, dE, loss, "dE");
    if (pooling.has_table()) expect_matches_finite_differences(P, dP, loss, "dP");
  }
}

// The whole model with concat pooling and a multiplied table: gather, head, softmax-CE and back.
TEST(Pooling, WholeConcatModelWithAMultipliedTableMatchesFiniteDifferences) {
  const int B = 4, C = 3, D = 4, V = 6;
  const Pooling pooling{Pool::kConcat, Position::kLearned, PositionMode::kMultiply};
  const int H = pooling.head_width(C, D);
  std::vector<float> E = random_vector(V * D, 8), W = random_vector(static_cast<std::size_t>(V) * H, 9),
                     bias = random_vector(V, 10), P = random_vector(C * D, 11);
  const std::vector<std::int32_t> x = {0, 1, 2, 3, 3, 3, 5, 4, 0, 1, 0, 1}, y = {1, 2, 0, 5};
  std::vector<float> h(B * H), logits(B * V), dW(W.size()), db(V), dh(B * H), dE(V * D), dP(C * D);
  const auto mean_loss = [&] {
    cpu::gather_pool_forward(x.data(), E.data(), P.data(), h.data(), B, C, D, pooling);
    cpu::head_forward(h.data(), W.data(), bias.data(), logits.data(), B, H, V);
    return cpu::softmax_xent_forward_backward(logits.data(), y.data(), B, V, 1.0f / B) / B;
  };
  mean_loss();  // leaves dlogits in `logits`
  cpu::head_backward(logits.data(), h.data(), W.data(), dW.data(), db.data(), dh.data(), B, H, V);
  cpu::scatter_add_backward(dh.data(), x.data(), P.data(), dE.data(), B, C, D, V, pooling);
  cpu::position_backward(dh.data(), x.data(), E.data(), dP.data(), B, C, D, pooling);
  expect_matches_finite_differences(E, dE, mean_loss, "dE");
  expect_matches_finite_differences(W, dW, mean_loss, "dW");
  expect_matches_finite_differences(P, dP, mean_loss, "dP");
}

// mean_c(E[x_c] + P[c]) = mean_c E[x_c] + mean_c P[c]: reversing a row's context leaves an added table's h
// unchanged, while a multiplied table and concat see the order.
TEST(Pooling, OnlyAnAddedTableLeavesTheMeanPoolBlindToOrder) {
  const int C = 4, D = 6, V = 9;
  const std::vector<std::int32_t> forward = {1, 2, 3, 4}, reversed = {4, 3, 2, 1};
  const std::vector<float> E = random_vector(V * D, 5), P = random_vector(C * D, 6);
  const auto pooled = [&](const std::vector<std::int32_t>& x, const Pooling& pooling) {
    std::vector<float> h(static_cast<std::size_t>(pooling.head_width(C, D)));
    cpu::gather_pool_forward(x.data(), E.data(), P.data(), h.data(), 1, C, D, pooling);
    return h;
  };
  const Pooling added{Pool::kMean, Position::kLearned, PositionMode::kAdd};
  const std::vector<float> a = pooled(forward, added), b = pooled(reversed, added);
  for (int d = 0; d < D; ++d) EXPECT_NEAR(a[d], b[d], 1e-6) << d;
  // ... and the shift is the table's mean, the same for every window.
  const std::vector<float> none = pooled(forward, Pooling{});
  for (int d = 0; d < D; ++d) {
    double mean_p = 0;
    for (int c = 0; c < C; ++c) mean_p += P[c * D + d] / C;
    EXPECT_NEAR(a[d] - none[d], mean_p, 1e-6) << d;
  }
  for (const Pooling& order_aware : {Pooling{Pool::kMean, Position::kLearned, PositionMode::kMultiply},
                                     Pooling{Pool::kConcat, Position::kNone, PositionMode::kAdd}}) {
    SCOPED_TRACE(describe(order_aware));
    EXPECT_NE(pooled(forward, order_aware), pooled(reversed, order_aware));
  }
}

TEST(Pooling, NamesNoticeAndRefusals) {
  EXPECT_EQ(parse_pool("concat"), Pool::kConcat);
  EXPECT_EQ(parse_position("sinusoidal"), Position::kSinusoidal);
  EXPECT_EQ(parse_position_mode("multiply"), PositionMode::kMultiply);
  EXPECT_THROW(parse_pool("max"), Error);
  EXPECT_THROW(parse_position("rotary"), Error);
  EXPECT_THROW(parse_position_mode("concat"), Error);
  EXPECT_FALSE(pooling_notice({Pool::kMean, Position::kLearned, PositionMode::kAdd}).empty());
  EXPECT_FALSE(pooling_notice({Pool::kMean, Position::kSinusoidal, PositionMode::kAdd}).empty());
  EXPECT_TRUE(pooling_notice({Pool::kMean, Position::kLearned, PositionMode::kMultiply}).empty());
  EXPECT_TRUE(pooling_notice({Pool::kConcat, Position::kLearned, PositionMode::kAdd}).empty());
  EXPECT_TRUE(pooling_notice(Pooling{}).empty());
  EXPECT_THROW(validate_pooling({Pool::kConcat, Position::kNone, PositionMode::kAdd}, Objective::kSkipgram), Error);
  EXPECT_THROW(validate_pooling({Pool::kMean, Position::kLearned, PositionMode::kAdd}, Objective::kSkipgram), Error);
  EXPECT_NO_THROW(validate_pooling({Pool::kConcat, Position::kLearned, PositionMode::kAdd}, Objective::kCbow));
}

RunOptions toy_options(const Pooling& pooling, std::int64_t steps) {
  RunOptions o = testing_support::quick_cpu_run(steps, static_cast<int>(steps));
  o.pool = pool_name(pooling.pool);
  o.position = position_name(pooling.position);
  o.position_mode = position_mode_name(pooling.mode);
  return o;
}

// Every pooling learns the toy text; the order-aware ones (concat, a multiplied table) beat the plain mean,
// which cannot tell "ab" from "ba" in its window.
TEST(Pooling, EachPoolingLearnsTheToyTextAndTheOrderAwareOnesBeatTheMean) {
  std::ostringstream console;
  const double mean = run_training(toy_options(Pooling{}, 400), console).result.log.back().val_loss;
  for (const Pooling& pooling : kPoolings) {
    SCOPED_TRACE(describe(pooling));
    const RunOutcome run = run_training(toy_options(pooling, 400), console);
    const double uniform = std::log(static_cast<double>(run.shape.V)), val = run.result.log.back().val_loss;
    EXPECT_LT(val, 0.6 * uniform);
    if (pooling.pool == Pool::kConcat || pooling.multiplies()) EXPECT_LT(val, 0.8 * mean) << "mean-pool " << mean;
  }
}

TEST(Pooling, StoppedAndResumedRunsWithALearnedTableAreBitIdentical) {
  const TempDir scratch;
  RunOptions o = toy_options({Pool::kConcat, Position::kLearned, PositionMode::kMultiply}, 60);
  o.log_every = 20;
  o.checkpoint_every = 25;
  testing_support::expect_resume_is_bit_identical(
      o, [](const BackendConfig& c) { return make_cpu_backend(c, CpuPath::kFast); }, scratch.file("run.ckpt"), 37);
  const Checkpoint c = read_checkpoint(scratch.file("run.ckpt"));
  EXPECT_EQ(c.options.pool, "concat");
  EXPECT_EQ(c.options.position_mode, "multiply");
  EXPECT_EQ(c.resume.params.position.size(), 8u * 16u);
}

TEST(PoolingCli, TrainSaysWhatItPoolsWarnsAboutAnAddedTableAndExportsIt) {
  const TempDir dir;
  const CliResult r = run_cli("train --device cpu --position learned --steps 20 --log-every 10 --out '" +
                              dir.file("run") + "'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "pool mean, position learned (add)")) << r.out;
  EXPECT_TRUE(contains(r.out, "cannot make a mean-pool order-aware")) << r.out;
  const std::string summary = slurp(dir.path() / "run" / "summary.json");
  EXPECT_TRUE(contains(summary, "\"position\": \"learned\"")) << summary;
  EXPECT_TRUE(contains(slurp(dir.path() / "run" / "embedding_after.safetensors"), "\"position\"")) << "no table exported";

  const CliResult concat = run_cli("train --device cpu --pool concat --position learned --position-mode multiply "
                                   "--steps 20 --log-every 10 --no-files", dir);
  ASSERT_EQ(concat.exit_code, 0) << concat.err;
  EXPECT_FALSE(contains(concat.out, "order-aware")) << concat.out;
}

TEST(PoolingCli, BadPoolingsGetOneLine) {
  const TempDir dir;
  expect_one_line_error(run_cli("train --device cpu --objective skipgram --pool concat --no-files", dir),
                        "--objective skipgram pools one id");
  expect_one_line_error(run_cli("train --device cpu --objective skipgram --position sinusoidal --no-files", dir),
                        "use --position none");
  expect_one_line_error(run_cli("train --device cpu --pool max --no-files", dir), "--pool must be mean or concat");
  expect_one_line_error(run_cli("train --device cpu --position rope --no-files", dir), "--position must be none");
  expect_one_line_error(run_cli("train --device cpu --position-mode mul --no-files", dir), "--position-mode must be");
  expect_one_line_error(run_cli("train --device cpu --pool concat --ctx 64 --dim 2048 --no-files", dir),
                        "--ctx × --dim (--pool concat)");
}

}  // namespace
}  // namespace embgeo

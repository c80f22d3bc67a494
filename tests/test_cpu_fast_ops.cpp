// The fast CPU path (`--device cpu`) against the CPU reference: every op on real training steps at the
// shapes the CUDA ops are tested at, each optimizer, a free-running trajectory, and the pieces the fast
// path builds for itself (its exponential and its handling of extreme logits).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backend_pair.hpp"
#include "cpu/fast/cpu_fast_ops.hpp"
#include "cpu/reference/cpu_ops.hpp"
#include "data/corpus.hpp"
#include "train/trainer.hpp"

namespace embgeo {
namespace {

std::unique_ptr<Backend> fast_backend(const VerifyCase& vc, OptimizerKind kind = OptimizerKind::kAdam) {
  BackendConfig config = vc.config();
  config.optimizer.kind = kind;
  config.cpu_threads = 1;
  return make_cpu_backend(config, CpuPath::kFast);
}

class CpuFastOps : public ::testing::TestWithParam<VerifyCase> {};

TEST_P(CpuFastOps, EveryOpMatchesTheCpuReference) {
  const VerifyCase& vc = GetParam();
  for (const OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kSgd, OptimizerKind::kLazyAdam}) {
    BackendPair pair(fast_backend(vc, kind), vc.corpus, 5);
    expect_all_pass(verify_ops(*pair.reference, *pair.subject, vc.corpus, 3, 5), vc.name + "/" + optimizer_name(kind));
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, CpuFastOps, ::testing::ValuesIn(op_test_cases()), case_name);

TEST(CpuFastPath, IsNotTheReferenceItself) {
  // The comparisons above are only worth something if the fast path computes differently.
  const VerifyCase vc = make_case("word", {2000, 64, 8, 64}, 3);
  BackendPair pair(fast_backend(vc), vc.corpus, 3);
  bool logits_differ = false;
  for (const Comparison& c : verify_ops(*pair.reference, *pair.subject, vc.corpus, 1, 3))
    if (c.what == "logits") logits_differ = c.max_abs > 0;
  EXPECT_TRUE(logits_differ);
  EXPECT_EQ(pair.subject->name(), "cpu");
  EXPECT_EQ(pair.reference->name(), "cpu-reference");
}

TEST(CpuFastPath, FreeRunningTrajectoryTracksTheReference) {
  const Corpus toy = make_char_corpus(default_corpus_text(), "toy");
  BackendPair pair(fast_backend({"toy", {toy.vocab.size(), 16, 8, 32}, toy.ids}), toy.ids, 11);
  const Comparison c = verify_trajectory(*pair.reference, *pair.subject, 300, 11, static_cast<std::int64_t>(toy.ids.size()) - 8);
  EXPECT_TRUE(c.pass()) << "max rel " << c.max_rel;
}

TEST(CpuFastPath, FrozenEmbeddingStaysBitIdentical) {
  const VerifyCase vc = make_case("frozen", {40, 12, 4, 16}, 9);
  BackendConfig config = vc.config();
  config.freeze_embedding = true;
  BackendPair pair(make_cpu_backend(config, CpuPath::kFast), vc.corpus, 9);
  expect_all_pass(verify_ops(*pair.reference, *pair.subject, vc.corpus, 2, 9), "frozen");
  const Params before = pair.subject->params();
  for (int step = 1; step <= 20; ++step) pair.subject->train_step(9, step, 0, static_cast<std::int64_t>(vc.corpus.size()) - 4);
  EXPECT_EQ(pair.subject->params().embedding, before.embedding);
  EXPECT_NE(pair.subject->params().head_weight, before.head_weight);
}

TEST(CpuFastPath, ExponentialIsWithinTwoUlpOverTheSoftmaxRange) {
  double worst = 0;
  for (int i = 0; i <= 200000; ++i) {
    const float x = -87.0f * static_cast<float>(i) / 200000.0f;
    const double want = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::abs(cpu_fast::exp_nonpositive(x) - want) / want);
  }
  EXPECT_LT(worst, 2.5e-7);  // 2 ulp of a float is 2.4e-7 relative at worst
  EXPECT_EQ(cpu_fast::exp_nonpositive(0.0f), 1.0f);
  EXPECT_LE(cpu_fast::exp_nonpositive(-1e30f), 1.7e-38f);  // clamped to e^-87: negligible beside the max term 1
  EXPECT_TRUE(std::isnan(cpu_fast::exp_nonpositive(std::numeric_limits<float>::quiet_NaN())));
}

TEST(CpuFastPath, SoftmaxSurvivesExtremeLogitsLikeTheReference) {
  const int V = 5;
  std::vector<float> fast = {1e30f, -1e30f, 0.0f, 88.0f, -88.0f}, reference = fast;
  const std::vector<std::int32_t> y = {2};
  const double fast_loss = cpu_fast::softmax_xent_forward_backward(fast.data(), y.data(), 1, V, 1.0f);
  const double reference_loss = cpu::softmax_xent_forward_backward(reference.data(), y.data(), 1, V, 1.0f);
  EXPECT_DOUBLE_EQ(fast_loss, reference_loss);  // 1e30 − 0: both exact in double
  for (int v = 0; v < V; ++v) EXPECT_NEAR(fast[v], reference[v], 1e-7) << v;
}

TEST(CpuFastPath, OnehotMatmulEqualsGatherExactly) {
  const int V = 1000, D = 48;
  const Params p = init_params({V, D, 1, 1}, 13);
  const std::vector<std::int32_t> ids = synthetic_corpus(V, 777, 13);
  const int N = static_cast<int>(ids.size());
  std::vector<float> gathered(ids.size() * D), product(ids.size() * D, NAN);
  cpu::gather_pool_forward(ids.data(), p.embedding.data(), nullptr, gathered.data(), N, 1, D, Pooling{});
  cpu_fast::onehot_matmul(ids.data(), p.embedding.data(), product.data(), N, V, D);
  EXPECT_EQ(product, gathered);
}

TEST(CpuFastPath, TrainsTheToyFarBelowUniform) {
  const Corpus toy = make_char_corpus(default_corpus_text(), "toy");
  const auto backend = fast_backend({"toy", {toy.vocab.size(), 16, 8, 32}, toy.ids});
  backend->load_corpus(toy.ids);
  backend->load_params(init_params(backend->config().shape, 1));
  const auto windows = static_cast<std::int64_t>(toy.ids.size()) - 8;
  for (int step = 1; step <= 1000; ++step) backend->train_step(1, step, 0, windows);
  EXPECT_LT(evaluate_loss(*backend, 0, 512), 0.5 * std::log(static_cast<double>(toy.vocab.size())));
}

}  // namespace
}  // namespace embgeo

// End to end on the CPU path: the toy model must learn, deterministically.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <thread>

#include "embgeo/error.hpp"

#include "train/device.hpp"
#include "train/run.hpp"
#include "train/trainer.hpp"

namespace embgeo {
namespace {

struct ToyRun {
  Corpus corpus = make_char_corpus(default_corpus_text(), "toy");
  ModelShape shape;
  ToyRun() {
    split_corpus(corpus, 0.1, 8);
    shape = ModelShape{corpus.vocab.size(), 16, 8, 32};
  }
  TrainResult train_with(BackendConfig config, std::int64_t steps) {
    config.shape = shape;
    const auto backend = make_cpu_backend(config);
    TrainConfig tc;
    tc.steps = steps;
    return train(*backend, corpus, init_params(shape, tc.seed), tc, nullptr);
  }
};

TEST(TrainerCpu, ToyValidationLossFallsFarBelowUniform) {
  ToyRun toy;
  const TrainResult r = toy.train_with(BackendConfig{}, 2000);
  const double uniform = std::log(static_cast<double>(toy.shape.V));
  ASSERT_EQ(r.log.size(), 11u);  // steps 0, 200, ..., 2000
  EXPECT_NEAR(r.log.front().val_loss, uniform, 0.5);
  EXPECT_LT(r.log.back().val_loss, 0.35 * uniform) << "val loss " << r.log.back().val_loss;
  EXPECT_LT(r.log.back().train_loss, r.log[1].train_loss);
}

TEST(TrainerCpu, SameSeedGivesBitIdenticalRuns) {
  ToyRun toy;
  const TrainResult a = toy.train_with(BackendConfig{}, 50);
  const TrainResult b = toy.train_with(BackendConfig{}, 50);
  EXPECT_EQ(a.final.embedding, b.final.embedding);
  EXPECT_EQ(a.final.head_weight, b.final.head_weight);
  EXPECT_NE(a.final.embedding, a.initial.embedding);
}

TEST(TrainerCpu, FrozenEmbeddingStaysBitIdenticalWhileTheHeadLearns) {
  ToyRun toy;
  BackendConfig frozen;
  frozen.freeze_embedding = true;
  const TrainResult r = toy.train_with(frozen, 300);
  EXPECT_EQ(r.final.embedding, r.initial.embedding);
  EXPECT_NE(r.final.head_weight, r.initial.head_weight);
  EXPECT_LT(r.log.back().val_loss, r.log.front().val_loss);
}

TEST(TrainerCpu, SgdAlsoLearns) {
  ToyRun toy;
  BackendConfig sgd;
  sgd.optimizer.kind = OptimizerKind::kSgd;
  sgd.optimizer.lr = 0.5f;
  const TrainResult r = toy.train_with(sgd, 400);
  EXPECT_LT(r.log.back().val_loss, r.log.front().val_loss - 0.5);
}

// One hand-fed step on a 6-token vocabulary: x holds ids 0 and 1 at step 1, ids 2 and 3 at step 2.
std::vector<float> embedding_after_two_steps(OptimizerKind kind) {
  BackendConfig config;
  config.shape = {6, 3, 2, 1};
  config.optimizer.kind = kind;
  const auto cpu = make_cpu_backend(config);
  cpu->load_corpus({0, 1, 2, 3, 4, 5});
  cpu->load_params(init_params(config.shape, 9));
  const std::vector<std::vector<std::int32_t>> batches = {{0, 1}, {2, 3}};
  for (std::int64_t t = 1; t <= 2; ++t) {
    cpu->write_ids(Tensor::kX, batches[t - 1], 1);
    cpu->write_ids(Tensor::kY, {5}, 1);
    cpu->gather_pool_forward();
    cpu->head_forward();
    cpu->softmax_xent_forward_backward();
    cpu->head_backward();
    cpu->scatter_add_backward();
    cpu->optimizer_step(t);
  }
  return cpu->params().embedding;
}

TEST(TrainerCpu, LazyAdamLeavesRowsOutsideTheBatchAlone) {
  const std::vector<float> initial = init_params({6, 3, 2, 1}, 9).embedding;
  const std::vector<float> dense = embedding_after_two_steps(OptimizerKind::kAdam);
  const std::vector<float> lazy = embedding_after_two_steps(OptimizerKind::kLazyAdam);
  auto row = [](const std::vector<float>& t, int r) { return std::vector<float>(t.begin() + 3 * r, t.begin() + 3 * r + 3); };
  // Rows 2 and 3 were only touched at step 2, so both optimizers move them identically (zero moments before).
  EXPECT_EQ(row(lazy, 2), row(dense, 2));
  // Rows 0 and 1 were touched at step 1 only: dense Adam keeps moving them on momentum at step 2, lazy
  // Adam does not, so the two differ there.
  EXPECT_NE(row(lazy, 0), row(dense, 0));
  EXPECT_NE(row(lazy, 0), row(initial, 0));
  // Rows 4 and 5 were never in a batch: unchanged under both.
  EXPECT_EQ(row(lazy, 4), row(initial, 4));
  EXPECT_EQ(row(dense, 5), row(initial, 5));
}

TEST(TrainerCpu, InitializationFollowsPyTorchDefaults) {
  const ModelShape shape{200, 64, 8, 32};
  const Params p = init_params(shape, 3);
  double sum = 0, sum_sq = 0;
  for (float e : p.embedding) sum += e, sum_sq += static_cast<double>(e) * e;
  const double n = static_cast<double>(p.embedding.size());
  EXPECT_NEAR(sum / n, 0.0, 0.02);                    // N(0,1): mean 0 (12800 samples: σ/√n ≈ 0.009)
  EXPECT_NEAR(sum_sq / n - (sum / n) * (sum / n), 1.0, 0.05);
  const float bound = 1.0f / 8.0f;                    // U(±1/√D), D = 64
  float max_abs = 0;
  for (float w : p.head_weight) max_abs = std::max(max_abs, std::fabs(w));
  for (float b : p.head_bias) max_abs = std::max(max_abs, std::fabs(b));
  EXPECT_LE(max_abs, bound);
  EXPECT_GT(max_abs, 0.95f * bound);
  EXPECT_EQ(init_params(shape, 3).embedding, p.embedding);
  EXPECT_NE(init_params(shape, 4).embedding, p.embedding);
}

TEST(TrainerCpu, RunTrainingRejectsBadOptionsBeforeWork) {
  RunOptions o;
  o.steps = 0;
  std::ostringstream console;
  EXPECT_THROW(run_training(o, console), Error);
  o = RunOptions{};
  o.dim = 0;
  EXPECT_THROW(run_training(o, console), Error);
  o = RunOptions{};
  o.lr = -1;
  EXPECT_THROW(run_training(o, console), Error);
  o = RunOptions{};
  o.optimizer = "lion";
  EXPECT_THROW(run_training(o, console), Error);
  EXPECT_EQ(console.str(), "");
}

}  // namespace
}  // namespace embgeo

namespace embgeo {
namespace {

// Every run option that shapes the backend reaches it through backend_config (train and the experiments'
// evaluations alike), so no caller can drop one.
TEST(TrainerCpu, BackendConfigCarriesEveryBackendOption) {
  RunOptions o;
  o.optimizer = "lazy-adam";
  o.lr = 0.25f;
  o.freeze_embedding = true;
  o.deterministic = true;
  o.tf32 = true;
  o.threads = 3;
  const ModelShape shape{40, 5, 3, 7};
  const BackendConfig c = backend_config(o, shape);
  EXPECT_EQ(c.shape.V, 40);
  EXPECT_EQ(c.shape.D, 5);
  EXPECT_EQ(c.optimizer.kind, OptimizerKind::kLazyAdam);
  EXPECT_EQ(c.optimizer.lr, 0.25f);
  EXPECT_TRUE(c.freeze_embedding);
  EXPECT_TRUE(c.deterministic);
  EXPECT_TRUE(c.tf32);
  EXPECT_EQ(c.cpu_threads, usable_cpu_threads(3));
}

// OpenBLAS gets no more threads than there are cores to run them (0 still means its own default).
TEST(TrainerCpu, CpuThreadsAreCappedAtTheCores) {
  RunOptions o;
  o.threads = 1024;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  const int threads = backend_config(o, ModelShape{40, 5, 3, 7}).cpu_threads;
  EXPECT_GE(threads, 1);
  if (cores > 0) EXPECT_LE(threads, cores);
  EXPECT_EQ(usable_cpu_threads(1), 1);
  EXPECT_EQ(usable_cpu_threads(0), 0);
}

}  // namespace
}  // namespace embgeo

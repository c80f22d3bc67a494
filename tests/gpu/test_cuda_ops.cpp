// Every CUDA op against the CPU reference on real training steps, at the toy shape, degenerate shapes and a
// large vocabulary; plus the host-side guards of the CUDA backend. Skipped (loudly) without a GPU.
#include <gtest/gtest.h>

#include "backend_pair.hpp"
#include "cli_runner.hpp"
#include "cpu/reference/cpu_ops.hpp"
#include "data/corpus.hpp"
#include "embgeo/error.hpp"
#include "gpu_test_util.hpp"
#include "resume_check.hpp"
#include "train/trainer.hpp"
#include "verify/verify.hpp"

namespace embgeo {
namespace {

class CudaOps : public ::testing::TestWithParam<VerifyCase> {};

TEST_P(CudaOps, EveryOpMatchesTheCpuReference) {
  REQUIRE_GPU();
  const VerifyCase& vc = GetParam();
  for (const OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kSgd, OptimizerKind::kLazyAdam})
    for (const bool deterministic : {false, true}) {
      BackendConfig config = vc.config();
      config.optimizer.kind = kind;
      config.deterministic = deterministic;
      BackendPair pair(make_cuda_backend(0, config), vc.corpus, 5);
      expect_all_pass(verify_ops(*pair.reference, *pair.subject, vc.corpus, 3, 5),
                      vc.name + "/" + optimizer_name(kind) + (deterministic ? "/sorted" : "/atomic"));
    }
}

INSTANTIATE_TEST_SUITE_P(Shapes, CudaOps, ::testing::ValuesIn(op_test_cases()), case_name);

TEST(CudaBackend, FrozenEmbeddingMatchesCpuAndStaysBitIdentical) {
  REQUIRE_GPU();
  const VerifyCase vc = make_case("frozen", {40, 12, 4, 16}, 9);
  BackendConfig config = vc.config();
  config.freeze_embedding = true;
  BackendPair pair(make_cuda_backend(0, config), vc.corpus, 9);
  const Params before = pair.subject->params();
  expect_all_pass(verify_ops(*pair.reference, *pair.subject, vc.corpus, 2, 9), "frozen");
  pair.subject->load_params(before);
  const auto windows = static_cast<std::int64_t>(vc.corpus.size()) - vc.shape.C;
  for (int step = 1; step <= 20; ++step) pair.subject->train_step(9, step, 0, windows);
  EXPECT_EQ(pair.subject->params().embedding, before.embedding);
  EXPECT_NE(pair.subject->params().head_weight, before.head_weight);
  EXPECT_TRUE(pair.subject->read(Tensor::kEmbeddingGrad).empty());  // never allocated
}

TEST(CudaBackend, FreeRunningTrajectoryTracksTheCpu) {
  REQUIRE_GPU();
  const Corpus toy = make_char_corpus(default_corpus_text(), "toy");
  BackendConfig config;
  config.shape = {toy.vocab.size(), 16, 8, 32};
  config.deterministic = true;  // a failure then reproduces run after run
  BackendPair pair(make_cuda_backend(0, config), toy.ids, 11);
  const Comparison c = verify_trajectory(*pair.reference, *pair.subject, 300, 11, static_cast<std::int64_t>(toy.ids.size()) - 8);
  EXPECT_TRUE(c.pass()) << "max rel " << c.max_rel;
}

TEST(CudaBackend, GraphReplayIsBitIdenticalToEagerLaunches) {
  REQUIRE_GPU();
  const Corpus toy = make_char_corpus(default_corpus_text(), "toy");
  const std::int64_t windows = static_cast<std::int64_t>(toy.ids.size()) - 8;
  // The sorted scatter and the ordered loss sum make both paths deterministic, so they must agree bit for bit.
  for (const OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kSgd, OptimizerKind::kLazyAdam}) {
    BackendConfig eager_config;
    eager_config.shape = {toy.vocab.size(), 16, 8, 32};
    eager_config.optimizer.kind = kind;
    eager_config.deterministic = true;
    eager_config.cuda_graph = false;
    BackendConfig graph_config = eager_config;
    graph_config.cuda_graph = true;
    const auto eager = make_cuda_backend(0, eager_config), graph = make_cuda_backend(0, graph_config);
    const Params p = init_params(eager_config.shape, 21);
    for (Backend* b : {eager.get(), graph.get()}) {
      b->load_corpus(toy.ids);
      b->load_params(p);
    }
    // Steps 1..50, then a jump (the counter must be re-set), then a change of windows (a re-capture).
    std::vector<std::int64_t> steps;
    for (std::int64_t s = 1; s <= 50; ++s) steps.push_back(s);
    steps.insert(steps.end(), {100, 101, 7});
    for (std::int64_t step : steps) {
      eager->train_step(21, step, 0, step == 7 ? windows / 2 : windows);
      graph->train_step(21, step, 0, step == 7 ? windows / 2 : windows);
      const Backend::LossSum a = eager->take_loss_sum(), b = graph->take_loss_sum();
      ASSERT_EQ(a.sum, b.sum) << optimizer_name(kind) << " step " << step;
      ASSERT_EQ(a.rows, b.rows);
    }
    EXPECT_EQ(eager->params().embedding, graph->params().embedding) << optimizer_name(kind);
    EXPECT_EQ(eager->read(Tensor::kHeadWeightM), graph->read(Tensor::kHeadWeightM)) << optimizer_name(kind);
  }
}

// Checkpoint and resume on the CUDA backend (graph-captured steps, device-side step counter): a run stopped
// after step 22 and resumed from its checkpoint file equals the run never stopped. --deterministic, since
// atomics would make even two uninterrupted runs differ.
TEST(CudaBackend, StoppedAndResumedRunIsBitIdentical) {
  REQUIRE_GPU();
  const testing_support::TempDir scratch;
  for (const char* optimizer : {"adam", "lazy-adam", "sgd"}) {
    SCOPED_TRACE(optimizer);
    RunOptions o;
    o.optimizer = optimizer;
    o.deterministic = true;
    o.steps = 60;
    o.log_every = 20;
    o.checkpoint_every = 15;
    testing_support::expect_resume_is_bit_identical(
        o, [](const BackendConfig& c) { return make_cuda_backend(0, c); }, scratch.file("run.ckpt"), 22);
  }
}

TEST(CudaBackend, DeterministicScatterGivesBitIdenticalRuns) {
  REQUIRE_GPU();
  // Heavy repeats (V=3, N=2048 slots) make atomic ordering matter; the sorted path must not care.
  const VerifyCase vc = make_case("repeats", {3, 40, 16, 128}, 31);
  BackendConfig config = vc.config();
  config.deterministic = true;
  std::vector<std::vector<float>> tables;
  for (int run = 0; run < 2; ++run) {
    const auto gpu = make_cuda_backend(0, config);
    gpu->load_corpus(vc.corpus);
    gpu->load_params(init_params(vc.shape, 31));
    for (int step = 1; step <= 30; ++step) gpu->train_step(31, step, 0, static_cast<std::int64_t>(vc.corpus.size()) - vc.shape.C);
    tables.push_back(gpu->params().embedding);
  }
  EXPECT_EQ(tables[0], tables[1]);
}

TEST(CudaBackend, TensorFloat32StaysWithinItsTolerance) {
  REQUIRE_GPU();
  const VerifyCase vc = make_case("tf32", {2000, 128, 8, 64}, 41);
  BackendConfig config = vc.config();
  config.tf32 = true;
  BackendPair pair(make_cuda_backend(0, config), vc.corpus, 41);
  const std::vector<Comparison> rows = verify_ops(*pair.reference, *pair.subject, vc.corpus, 2, 41, true);
  expect_all_pass(rows, "tf32");
  // And TF32 is really on: its logits miss the CPU by more than fp32 rounding would (1e-5 of their scale).
  for (const Comparison& c : rows)
    if (c.what == "logits") EXPECT_GT(c.max_abs, c.tolerance.atol / 5e-3 * 1e-5) << "TF32 seems off";
}

TEST(CudaBackend, EvaluationWindowsMatchTheCpu) {
  REQUIRE_GPU();
  const VerifyCase vc = make_case("eval", {64, 16, 8, 32}, 12);
  BackendConfig config = vc.config();
  BackendPair pair(make_cuda_backend(0, config), vc.corpus, 12);
  const double cpu = evaluate_loss(*pair.reference, 100, 77), gpu = evaluate_loss(*pair.subject, 100, 77);  // 77 = 2·32 + 13 rows
  EXPECT_NEAR(gpu, cpu, 1e-5 * cpu);
}

// The other objectives through the captured training step (verify_ops checks eager sampling) and evaluation.
TEST(CudaBackend, CbowAndSkipgramTrainAlongTheCpuAndEvaluateTheSameWindows) {
  REQUIRE_GPU();
  for (const Objective o : {Objective::kCbow, Objective::kSkipgram}) {
    SCOPED_TRACE(objective_name(o));
    const VerifyCase vc = make_objective_case(objective_name(o), {64, 16, 0, 32}, {o, 6}, 14);
    BackendPair pair(make_cuda_backend(0, vc.config()), vc.corpus, 14);
    const double cpu = evaluate_loss(*pair.reference, 100, 77), gpu = evaluate_loss(*pair.subject, 100, 77);
    EXPECT_NEAR(gpu, cpu, 1e-5 * cpu);
    const auto windows = static_cast<std::int64_t>(vc.corpus.size()) - vc.layout.context;
    expect_all_pass({verify_trajectory(*pair.reference, *pair.subject, 30, 14, windows)}, objective_name(o));
  }
}

// Negative sampling through the captured step, with atomic and sorted dW/db scatters; the sorted one twice
// gives the same bits.
TEST(CudaBackend, NegativeSamplingTrainsAlongTheCpuInTheCapturedStep) {
  REQUIRE_GPU();
  const VerifyCase vc = make_objective_case("negsamp", {200, 16, 0, 32}, {Objective::kCbow, 4}, 15, Loss::kNegativeSampling);
  const std::vector<std::uint64_t> noise = noise_cdf(vc.corpus.data(), vc.corpus.size(), vc.shape.V);
  const auto windows = static_cast<std::int64_t>(vc.corpus.size()) - vc.layout.context;
  std::vector<float> first_run;
  for (const bool deterministic : {false, true, true}) {
    BackendConfig config = vc.config();
    config.deterministic = deterministic;
    BackendPair pair(make_cuda_backend(0, config), vc.corpus, 15);
    for (Backend* b : {pair.reference.get(), pair.subject.get()}) b->load_noise(noise);
    expect_all_pass({verify_trajectory(*pair.reference, *pair.subject, 30, 15, windows)},
                    deterministic ? "sorted" : "atomic");
    if (!deterministic) continue;
    if (first_run.empty())
      first_run = pair.subject->read(Tensor::kHeadWeight);
    else
      EXPECT_EQ(pair.subject->read(Tensor::kHeadWeight), first_run);
  }
}

TEST(CudaBackend, OnehotMatmulEqualsGatherExactly) {
  REQUIRE_GPU();
  const int V = 1000, D = 48;
  const Params p = init_params({V, D, 1, 1}, 13);
  const std::vector<std::int32_t> ids = synthetic_corpus(V, 777, 13);
  const OnehotVsGather r = cuda_onehot_vs_gather(0, ids, p.embedding, V, D);
  std::vector<float> reference(ids.size() * D);
  cpu::gather_pool_forward(ids.data(), p.embedding.data(), nullptr, reference.data(), static_cast<int>(ids.size()), 1, D, Pooling{});
  EXPECT_EQ(r.onehot, reference);
  EXPECT_EQ(r.gathered, reference);
}

// Lazy Adam updates the rows the last sorted scatter listed; before any scatter that list must be empty, not
// whatever the device memory held (found by the emulated device, whose fresh memory is a loud pattern).
TEST(CudaBackend, LazyAdamBeforeAnyScatterTouchesNoEmbeddingRow) {
  REQUIRE_GPU();
  const VerifyCase vc = make_case("lazy", {50, 8, 3, 4}, 13);
  BackendConfig config = vc.config();
  config.optimizer.kind = OptimizerKind::kLazyAdam;
  const auto backend = make_cuda_backend(0, config);
  backend->load_corpus(vc.corpus);
  const Params before = init_params(vc.shape, 13);
  backend->load_params(before);
  backend->optimizer_step(1);
  EXPECT_EQ(backend->params().embedding, before.embedding);
}

// Each row's loss log-sum-exp − logit[y] is formed in double, as the accumulation is: with logits near 3000 a
// float log-sum-exp is off by up to half an ulp of 3000 (1.2e-4), far more than the loss's own precision.
TEST(CudaBackend, RowLossIsFormedInDoubleAtLargeLogits) {
  REQUIRE_GPU();
  const ModelShape shape{100, 4, 2, 8};
  BackendConfig config;
  config.shape = shape;
  const auto gpu = make_cuda_backend(0, config);
  const auto cpu = make_cpu_backend(config, CpuPath::kReference);
  std::vector<float> logits = init_params({shape.V, shape.B, 1, 1}, 17).head_weight;  // B·V values in ±0.5
  for (std::size_t i = 0; i < logits.size(); ++i) logits[i] += 3000.0f + static_cast<float>(i % 7) * 0.25f;
  const std::vector<std::int32_t> y = synthetic_corpus(shape.V, shape.B, 17);
  double loss[2];
  int side = 0;
  for (Backend* b : {cpu.get(), gpu.get()}) {
    b->write_ids(Tensor::kY, y, shape.B);
    b->write(Tensor::kLogits, logits);
    b->take_loss_sum();
    b->softmax_xent_forward_backward();
    const Backend::LossSum sum = b->take_loss_sum();
    loss[side++] = sum.sum / static_cast<double>(sum.rows);
  }
  EXPECT_NEAR(loss[1], loss[0], 1e-6 * loss[0]);
}

TEST(CudaBackend, RejectsOutOfRangeIdsOnTheHost) {
  REQUIRE_GPU();
  BackendConfig config;
  config.shape = {10, 4, 2, 2};
  const auto gpu = make_cuda_backend(0, config);
  EXPECT_THROW(gpu->load_corpus({1, 2, 10, 3}), Error);
  EXPECT_THROW(gpu->load_corpus({1, -1, 2}), Error);
  gpu->load_corpus({1, 2, 3, 4, 5});
  EXPECT_THROW(gpu->write_ids(Tensor::kY, {0, 11}, 2), Error);
  EXPECT_THROW(gpu->window_batch(3, 2), Error);  // windows 3 and 4 need tokens up to index 6
  EXPECT_THROW(cuda_onehot_vs_gather(0, {0, 12}, std::vector<float>(40), 10, 4), Error);
}

TEST(CudaBackend, RefusesAModelLargerThanTheDevice) {
  REQUIRE_GPU();
  BackendConfig config;
  config.shape = {kMaxVocab, 4096, 8, 32};  // 7 tables of 2^24·4096 floats ≈ 1.8 TiB
  try {
    make_cuda_backend(0, config);
    FAIL() << "allocated an impossible model";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("MiB are free"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace embgeo

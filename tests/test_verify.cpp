// The verifier must pass identical backends and catch a backend that is wrong in one op.
#include <gtest/gtest.h>

#include <cmath>

#include "embgeo/error.hpp"
#include "verify/verify.hpp"

namespace embgeo {
namespace {

// Realistic one-op bugs: a scatter-add off by a factor, an optimizer step that leaves E alone, one that puts
// each row's update on the next row.
enum class Fault { kScaledScatter, kSkippedEmbeddingUpdate, kUpdateOnWrongRows };

// Delegates everything to the fast CPU backend, except for its fault.
class FaultyBackend final : public Backend {
 public:
  FaultyBackend(const BackendConfig& c, Fault fault) : Backend(c), inner_(make_cpu_backend(c, CpuPath::kFast)), fault_(fault) {}
  std::string name() const override { return "faulty"; }
  void load_corpus(const std::vector<std::int32_t>& ids) override { inner_->load_corpus(ids); }
  void load_params(const Params& p) override { inner_->load_params(p); }
  Params params() const override { return inner_->params(); }
  void sample_batch(std::uint64_t seed, std::int64_t step, std::int64_t begin, std::int64_t count) override {
    inner_->sample_batch(seed, step, begin, count);
  }
  void window_batch(std::int64_t first, int rows) override { inner_->window_batch(first, rows); }
  void gather_pool_forward() override { inner_->gather_pool_forward(); }
  void head_forward() override { inner_->head_forward(); }
  void softmax_xent_forward_backward() override { inner_->softmax_xent_forward_backward(); }
  void head_backward() override { inner_->head_backward(); }
  void negative_sampling_forward_backward() override { inner_->negative_sampling_forward_backward(); }
  void load_noise(const std::vector<std::uint64_t>& cdf) override { inner_->load_noise(cdf); }
  void scatter_add_backward() override {
    inner_->scatter_add_backward();
    if (fault_ != Fault::kScaledScatter) return;
    std::vector<float> dE = inner_->read(Tensor::kEmbeddingGrad);
    for (float& g : dE) g *= 1.001f;
    inner_->write(Tensor::kEmbeddingGrad, dE);
  }
  void position_backward() override { inner_->position_backward(); }
  void optimizer_step(std::int64_t t) override {
    const std::vector<float> before = inner_->read(Tensor::kEmbedding);
    inner_->optimizer_step(t);
    if (fault_ == Fault::kScaledScatter) return;
    std::vector<float> after = inner_->read(Tensor::kEmbedding), wrong(before);
    const std::size_t D = static_cast<std::size_t>(config_.shape.D), n = before.size();
    if (fault_ == Fault::kUpdateOnWrongRows)
      for (std::size_t i = 0; i < n; ++i) wrong[(i + D) % n] += after[i] - before[i];
    inner_->write(Tensor::kEmbedding, wrong);
  }
  void all_gather_pooled_gradients() override { inner_->all_gather_pooled_gradients(); }
  void all_reduce_gradients() override { inner_->all_reduce_gradients(); }
  double exchange_seconds() const override { return inner_->exchange_seconds(); }
  LossSum take_loss_sum() override { return inner_->take_loss_sum(); }
  void set_loss_sum(const LossSum& sum) override { inner_->set_loss_sum(sum); }
  void set_divergence_limit(double limit) override { inner_->set_divergence_limit(limit); }
  std::int64_t diverged_step() const override { return inner_->diverged_step(); }
  std::vector<float> read(Tensor t) const override { return inner_->read(t); }
  std::vector<std::int32_t> read_ids(Tensor t) const override { return inner_->read_ids(t); }
  void write(Tensor t, const std::vector<float>& v) override { inner_->write(t, v); }
  void write_ids(Tensor t, const std::vector<std::int32_t>& v, int rows) override { inner_->write_ids(t, v, rows); }

 private:
  std::unique_ptr<Backend> inner_;
  Fault fault_;
};

void load_both(Backend& a, Backend& b, const VerifyCase& vc) {
  const Params p = init_params(vc.shape, 1);
  for (Backend* backend : {&a, &b}) {
    backend->load_corpus(vc.corpus);
    backend->load_params(p);
  }
}

TEST(Verify, IdenticalBackendsPassEveryCheckExactly) {
  for (const VerifyCase& vc : verify_cases("odd", 1)) {
    BackendConfig config = vc.config();
    const auto judge = make_cpu_backend(config), subject = make_cpu_backend(config);
    load_both(*judge, *subject, vc);
    const std::vector<Comparison> rows = verify_ops(*judge, *subject, vc.corpus, 2, 1);
    // x,y h logits loss,dlogits (separate, then fused) dW,db,dh dE state
    EXPECT_EQ(rows.size(), 2u + 1 + 1 + 2 + 2 + 3 + 1 + 9) << vc.name;
    for (const Comparison& c : rows) {
      EXPECT_TRUE(c.pass()) << vc.name << " " << c.what;
      EXPECT_EQ(c.max_abs, 0.0) << vc.name << " " << c.what;
    }
  }
}

TEST(Verify, CatchesAWrongScatterAddAndBlamesOnlyIt) {
  const VerifyCase vc = verify_cases("toy", 1).front();
  BackendConfig config = vc.config();
  const auto judge = make_cpu_backend(config);
  FaultyBackend subject(config, Fault::kScaledScatter);
  load_both(*judge, subject, vc);
  for (const Comparison& c : verify_ops(*judge, subject, vc.corpus, 1, 1)) {
    if (c.what == "dE")
      EXPECT_FALSE(c.pass());
    else
      EXPECT_TRUE(c.pass()) << c.what;
  }
}

// One SGD step moves E by lr·dE ≈ 1e-6 at a word-level vocabulary, far below a tolerance on E's values near 1:
// verify judges the update itself, so a step that skips E, or applies it to the wrong rows, fails for every
// optimizer while the rest of the step still passes.
TEST(Verify, CatchesAnEmbeddingUpdateSkippedOrOnTheWrongRows) {
  const VerifyCase vc = {"V=30000", {30000, 64, 8, 64}, synthetic_corpus(30000, 64 * 9 * 4 + 64, 4)};
  for (const OptimizerKind kind : {OptimizerKind::kSgd, OptimizerKind::kAdam, OptimizerKind::kLazyAdam})
    for (const Fault fault : {Fault::kSkippedEmbeddingUpdate, Fault::kUpdateOnWrongRows}) {
      SCOPED_TRACE(std::string(optimizer_name(kind)) + (fault == Fault::kUpdateOnWrongRows ? " wrong rows" : " skipped"));
      BackendConfig config = vc.config();
      config.optimizer.kind = kind;
      const auto judge = make_cpu_backend(config);
      FaultyBackend subject(config, fault);
      load_both(*judge, subject, vc);
      for (const Comparison& c : verify_ops(*judge, subject, vc.corpus, 1, 4)) {
        if (c.what == "E")
          EXPECT_FALSE(c.pass()) << c.mismatches << " of " << c.elements;
        else
          EXPECT_TRUE(c.pass()) << c.what << " " << (c.first_mismatches.empty() ? "" : c.first_mismatches.front());
      }
    }
}

TEST(Verify, CompareUpdatesAllowsTheRoundingOfTheValueAndNoMore) {
  // Values near 1 moved by 1e-6: a float result one ulp (1.2e-7) off passes, a skipped update fails.
  const std::vector<float> before = {1.0f, -0.75f, 0.5f};
  std::vector<float> want(before);
  for (float& v : want) v += 1e-6f;
  std::vector<float> off_by_an_ulp(want);
  off_by_an_ulp[0] = std::nextafter(want[0], 2.0f);
  EXPECT_TRUE(compare_updates("E", before, want, want, 1e-4, 1e-4).pass());
  EXPECT_TRUE(compare_updates("E", before, off_by_an_ulp, want, 1e-4, 1e-4).pass());
  EXPECT_EQ(compare_updates("E", before, before, want, 1e-4, 1e-4).mismatches, 3u);
}

TEST(Verify, TrajectoryOfIdenticalBackendsMatches) {
  const VerifyCase vc = verify_cases("toy", 2).front();
  BackendConfig config = vc.config();
  const auto a = make_cpu_backend(config), b = make_cpu_backend(config);
  load_both(*a, *b, vc);
  const Comparison c = verify_trajectory(*a, *b, 20, 2, static_cast<std::int64_t>(vc.corpus.size()) - vc.shape.C);
  EXPECT_TRUE(c.pass());
  EXPECT_EQ(c.elements, 20u);
}

TEST(Verify, CompareTensorsReportsMismatchesAndNaN) {
  const Comparison ok = compare_tensors("t", {1.0f, 2.0f}, {1.0f, 2.0001f}, {0.0, 1e-3});
  EXPECT_TRUE(ok.pass());
  const Comparison bad = compare_tensors("t", {1.0f, 2.5f, NAN}, {1.0f, 2.0f, 3.0f}, {1e-3, 1e-3});
  EXPECT_FALSE(bad.pass());
  EXPECT_EQ(bad.mismatches, 2u);
  EXPECT_EQ(bad.first_mismatches.size(), 2u);
  EXPECT_FALSE(compare_tensors("t", {1.0f}, {1.0f, 2.0f}, {}).pass());
}

TEST(Verify, OnehotIdentityHoldsExactlyOnTheCpu) {
  const VerifyCase vc = verify_cases("toy", 3).front();
  const Params p = init_params(vc.shape, 3);
  const std::vector<std::int32_t> ids(vc.corpus.begin(), vc.corpus.begin() + 100);
  EXPECT_TRUE(verify_onehot_identity_cpu(ids, p.embedding, vc.shape.V, vc.shape.D).pass());
}

TEST(Verify, ShapeSetsCombineAndUnknownOnesAreErrors) {
  EXPECT_EQ(verify_cases("toy,odd", 1).size(), 13u);
  EXPECT_EQ(verify_cases("all", 1).size(), 14u);
  EXPECT_THROW(verify_cases("huge", 1), Error);
  EXPECT_THROW(verify_cases("toy,", 1), Error);
}

}  // namespace
}  // namespace embgeo

namespace embgeo {
namespace {

TEST(Synthetic, ZipfIdsAreInRangeAndHeavyHeaded) {
  const std::vector<std::int32_t> ids = zipf_ids(1000, 20000, 1.1, 5);
  std::vector<int> count(1000, 0);
  for (std::int32_t id : ids) {
    ASSERT_GE(id, 0);
    ASSERT_LT(id, 1000);
    ++count[id];
  }
  // P(0)/P(1) = 2^1.1 ≈ 2.14 and id 0 alone carries 1/H(1000, 1.1) ≈ 18% of the mass.
  EXPECT_GT(count[0], count[1]);
  EXPECT_GT(count[0], 3000);
  EXPECT_LT(count[0], 4300);
  EXPECT_EQ(zipf_ids(1000, 20000, 1.1, 5), ids);
}

}  // namespace
}  // namespace embgeo

// Negative sampling: the noise table and its draws against the unigram^0.75 distribution, training with it on
// the CPU end to end, resume, and the refusals. (Its gradients: test_cpu_gradients.cpp; CPU against the CUDA
// kernels: the negsamp cases of backend_pair.hpp.)
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "cli_runner.hpp"
#include "embgeo/error.hpp"
#include "embgeo/negative_sampling.hpp"
#include "resume_check.hpp"
#include "test_support.hpp"
#include "train/run.hpp"

namespace embgeo {
namespace {

using testing_support::CliResult;
using testing_support::contains;
using testing_support::expect_one_line_error;
using testing_support::run_cli;
using testing_support::slurp;
using testing_support::TempDir;

// Counts 16, 1, 0, 81 give weights 8, 1, 0, 27 (count^0.75) of 36.
std::vector<std::int32_t> counted_text() {
  std::vector<std::int32_t> text;
  for (const auto& [id, count] : {std::pair{0, 16}, std::pair{1, 1}, std::pair{3, 81}}) text.insert(text.end(), count, id);
  return text;
}

TEST(NegativeSampling, NoiseTableIsTheUnigramDistributionToThePower075) {
  const std::vector<std::int32_t> text = counted_text();
  const std::vector<std::uint64_t> cdf = noise_cdf(text.data(), text.size(), 4);
  const double scale = static_cast<double>(std::uint64_t{1} << kNoiseBits);
  ASSERT_EQ(cdf.size(), 4u);
  EXPECT_EQ(cdf[0], static_cast<std::uint64_t>(std::floor(8.0 / 36 * scale)));
  EXPECT_EQ(cdf[1], static_cast<std::uint64_t>(std::floor(9.0 / 36 * scale)));
  EXPECT_EQ(cdf[2], cdf[1]);  // id 2 never occurs
  EXPECT_EQ(cdf[3], std::uint64_t{1} << kNoiseBits);
}

TEST(NegativeSampling, DrawsFollowTheNoiseTableAndNeverPickAnAbsentId) {
  const std::vector<std::int32_t> text = counted_text();
  const std::vector<std::uint64_t> cdf = noise_cdf(text.data(), text.size(), 4);
  std::vector<int> hits(4, 0);
  const int rows = 20000, K = 5;
  for (int row = 0; row < rows; ++row)
    for (int k = 1; k <= K; ++k) ++hits[sample_noise(42, 7, row, k, cdf.data(), 4)];
  const double n = rows * K;
  EXPECT_EQ(hits[2], 0);
  // Binomial standard deviations are below 0.002 of n here; 0.006 is three of them.
  EXPECT_NEAR(hits[0] / n, 8.0 / 36, 0.006);
  EXPECT_NEAR(hits[1] / n, 1.0 / 36, 0.006);
  EXPECT_NEAR(hits[3] / n, 27.0 / 36, 0.006);
  int differ = 0;  // another seed draws other ids
  for (int row = 0; row < 100; ++row)
    differ += sample_noise(42, 7, row, 1, cdf.data(), 4) != sample_noise(43, 7, row, 1, cdf.data(), 4);
  EXPECT_GT(differ, 10);
}

RunOptions toy_options(std::int64_t steps) {
  RunOptions o = testing_support::quick_cpu_run(steps, 100);
  o.loss = "negative-sampling";
  return o;
}

// Trained with negative sampling, the head still ranks the vocabulary: the full-softmax validation loss falls
// well below uniform, though not as far as softmax training takes it.
TEST(NegativeSampling, TrainingWithItLowersTheFullSoftmaxValidationLoss) {
  std::ostringstream console;
  const RunOutcome run = run_training(toy_options(600), console);
  const double uniform = std::log(static_cast<double>(run.shape.V));
  EXPECT_LT(run.result.log.back().val_loss, 0.7 * uniform) << run.result.log.back().val_loss;
  EXPECT_LT(run.result.log.back().train_loss, 0.7 * run.result.log.front().train_loss);
}

TEST(NegativeSampling, StoppedAndResumedRunIsBitIdentical) {
  const TempDir scratch;
  RunOptions o = toy_options(60);
  o.objective = "cbow";
  o.log_every = 20;
  o.checkpoint_every = 25;
  testing_support::expect_resume_is_bit_identical(
      o, [](const BackendConfig& c) { return make_cpu_backend(c, CpuPath::kFast); }, scratch.file("run.ckpt"), 37);
}

TEST(NegativeSamplingCli, TrainSaysSoAndRecordsIt) {
  const TempDir dir;
  const CliResult r = run_cli("train --device cpu --loss negative-sampling --negatives 3 --steps 30 --log-every 10 --out '" +
                                  dir.file("run") + "'",
                              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "model: next (negative sampling, 3 noise ids)")) << r.out;
  const std::string summary = slurp(dir.path() / "run" / "summary.json");
  EXPECT_TRUE(contains(summary, "\"loss\": \"negative-sampling\"")) << summary;
  EXPECT_TRUE(contains(summary, "\"negatives\": 3")) << summary;
}

TEST(NegativeSamplingCli, BadLossesAndCountsGetOneLine) {
  const TempDir dir;
  expect_one_line_error(run_cli("train --device cpu --loss hinge --no-files", dir),
                        "--loss must be softmax or negative-sampling");
  expect_one_line_error(run_cli("train --device cpu --loss negative-sampling --negatives 0 --no-files", dir),
                        "--negatives must be in [1, 1024]");
}

}  // namespace
}  // namespace embgeo

// The mechanics behind the breakage experiments, and the arithmetic of their verdicts.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <sstream>

#include "embgeo/error.hpp"
#include "experiments/experiments.hpp"

namespace embgeo {
namespace {

std::string decode(const Corpus& c) {
  std::string text;
  for (std::int32_t id : c.ids) text += c.vocab.tokens[id];
  return text;
}

RunOptions quick_cpu_run(std::int64_t steps) {
  RunOptions o;
  o.device = "cpu";
  o.steps = steps;
  o.log_every = 50;
  o.quiet = true;
  return o;
}

TEST(Experiments, RandomPermutationIsADeterministicBijection) {
  const std::vector<int> perm = random_permutation(50, 9);
  std::vector<int> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> identity(50);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(perm, identity);
  EXPECT_EQ(random_permutation(50, 9), perm);
  EXPECT_NE(random_permutation(50, 10), perm);
}

TEST(Experiments, PermutedCorpusDecodesToTheSameTextWithOtherIds) {
  const Corpus original = make_char_corpus(default_corpus_text(), "toy");
  Corpus permuted = original;
  const std::vector<int> perm = random_permutation(original.vocab.size(), 3);
  permute_corpus(permuted, perm);
  EXPECT_EQ(decode(permuted), decode(original));
  EXPECT_NE(permuted.ids, original.ids);
  EXPECT_EQ(permuted.ids[0], perm[original.ids[0]]);
}

TEST(Experiments, PermuteParamsMovesEveryTensorRowAlike) {
  Params p{{0, 1, 10, 11, 20, 21}, {5, 6, 15, 16, 25, 26}, {7, 17, 27}};  // V=3, D=2
  permute_params(p, {2, 0, 1}, 2);  // old 0 → new 2, old 1 → new 0, old 2 → new 1
  EXPECT_EQ(p.embedding, (std::vector<float>{10, 11, 20, 21, 0, 1}));
  EXPECT_EQ(p.head_weight, (std::vector<float>{15, 16, 25, 26, 5, 6}));
  EXPECT_EQ(p.head_bias, (std::vector<float>{17, 27, 7}));
}

TEST(Experiments, PermutedRunWithPermutedInitReproducesTheBaselineUpToThePermutation) {
  const RunOptions o = quick_cpu_run(300);
  std::ostringstream console;
  const RunOutcome base = run_training(o, console);
  const std::vector<int> perm = random_permutation(base.shape.V, 77);
  RunHooks hooks;
  hooks.corpus = [&](Corpus& c) { permute_corpus(c, perm); };
  hooks.params = [&](Params& p) { permute_params(p, perm, o.dim); };
  const RunOutcome permuted = run_training(o, console, hooks);
  ASSERT_EQ(base.result.log.size(), permuted.result.log.size());
  for (std::size_t i = 0; i < base.result.log.size(); ++i)
    EXPECT_NEAR(permuted.result.log[i].val_loss, base.result.log[i].val_loss, 1e-4) << "log point " << i;
  const int D = o.dim;
  double max_gap = 0;
  for (int id = 0; id < base.shape.V; ++id)
    for (int d = 0; d < D; ++d)
      max_gap = std::max(max_gap, static_cast<double>(std::fabs(base.result.final.embedding[id * D + d] -
                                                                permuted.result.final.embedding[perm[id] * D + d])));
  EXPECT_LT(max_gap, 1e-3);
  EXPECT_NE(permuted.result.final.embedding, base.result.final.embedding);  // the rows really moved
}

TEST(Experiments, TokenizerBNumbersSymbolsByFrequency) {
  const Corpus c = make_char_corpus(default_corpus_text(), "toy");
  const std::vector<int> a_to_b = frequency_order_ids(c);
  // Space is the most frequent character of the toy text, then 't' (the, cat, sat, ...).
  EXPECT_EQ(a_to_b[0], 0);  // ' ' is id 0 under A (sorted) and most frequent, so id 0 under B too
  const int t = static_cast<int>(std::find(c.vocab.tokens.begin(), c.vocab.tokens.end(), "t") - c.vocab.tokens.begin());
  EXPECT_EQ(a_to_b[t], 1);
  std::vector<int> seen(a_to_b);
  std::sort(seen.begin(), seen.end());
  for (int i = 0; i < c.vocab.size(); ++i) EXPECT_EQ(seen[i], i);
}

TEST(Experiments, VerdictSaysWithinNoiseOnlyInsideTwoStandardErrors) {
  // noise = 2·sqrt((0.1² + 0.1²)/2) = 0.2
  EXPECT_NE(compare_verdict("x", {1.0, 0.1}, {1.15, 0.1}, 2).find("within noise (±0.200"), std::string::npos);
  EXPECT_NE(compare_verdict("x", {1.0, 0.1}, {1.25, 0.1}, 2).find("exceeds the seed noise"), std::string::npos);
  EXPECT_NE(compare_verdict("x", {2.0, 0.0}, {3.0, 0.0}, 1).find("1.50× baseline"), std::string::npos);
  EXPECT_NE(compare_verdict("x", {2.0, 0.0}, {3.0, 0.0}, 1).find("one seed"), std::string::npos);
  const MeanSpread m = mean_spread({1.0, 2.0, 3.0});
  EXPECT_DOUBLE_EQ(m.mean, 2.0);
  EXPECT_DOUBLE_EQ(m.spread, 1.0);
}

TEST(Experiments, AllFourRunOnTheCpuWithMeasuredVerdicts) {
  ExperimentOptions o;
  o.base = quick_cpu_run(400);
  o.seeds = 2;
  std::ostringstream console;
  const std::vector<ExperimentResult> results = run_experiments(experiment_names("all"), o, console);
  ASSERT_EQ(results.size(), 4u);
  const ExperimentResult& frozen = results[0];
  EXPECT_EQ(frozen.facts.front().first, "frozen_rows_bit_identical");
  EXPECT_EQ(frozen.facts.front().second, 1.0);
  EXPECT_GT(frozen.arms[1].stat(&RunStats::val_loss).mean, frozen.arms[0].stat(&RunStats::val_loss).mean);
  const ExperimentResult& permuted = results[1];
  for (const auto& [name, value] : permuted.facts) {
    if (name == "exact_relabel_max_val_loss_gap") EXPECT_LT(value, 1e-4);
    if (name == "neighbor_lists_same_ids") EXPECT_LT(value, 6 * 2);
  }
  const ExperimentResult& swap = results[3];
  EXPECT_GT(swap.arms[1].stat(&RunStats::val_loss).mean, 1.5 * swap.arms[0].stat(&RunStats::val_loss).mean);
  EXPECT_FALSE(swap.predictions.empty());
  for (const ExperimentResult& r : results) EXPECT_FALSE(r.verdicts.empty()) << r.name;
  EXPECT_THROW(experiment_names("melt-gpu"), Error);
}

}  // namespace
}  // namespace embgeo

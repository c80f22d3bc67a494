// The mechanics behind the experiments, the arithmetic of their verdicts, and the objectives experiment's
// arms, neighbour table and outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "cli_runner.hpp"
#include "embgeo/error.hpp"
#include "experiments/experiments.hpp"
#include "test_support.hpp"

namespace embgeo {
namespace {

using testing_support::contains;
using testing_support::error_of;
using testing_support::expect_one_line_error;
using testing_support::quick_cpu_run;
using testing_support::run_cli;
using testing_support::slurp;
using testing_support::TempDir;

std::string decode(const Corpus& c) {
  std::string text;
  for (std::int32_t id : c.ids) text += c.vocab.tokens[id];
  return text;
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
  const RunOptions o = quick_cpu_run(300, 50);
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

TEST(Experiments, AllSixRunOnTheCpuWithMeasuredVerdicts) {
  ExperimentOptions o;
  o.base = quick_cpu_run(400, 50);
  o.seeds = 2;
  std::ostringstream console;
  const std::vector<ExperimentResult> results = run_experiments(experiment_names("all"), o, console);
  ASSERT_EQ(results.size(), 6u);
  EXPECT_EQ(results[4].name, "objectives");
  EXPECT_EQ(results[5].name, "word-order");
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

TEST(Experiments, ObjectivesTrainsEachObjectiveAndPutsTheirNeighboursSideBySide) {
  ExperimentOptions o;
  o.base = quick_cpu_run(300, 50);
  o.seeds = 2;
  std::ostringstream console;
  const std::vector<ExperimentResult> results = run_experiments({"objectives"}, o, console);
  ASSERT_EQ(results.size(), 1u);
  const ExperimentResult& r = results[0];
  const std::vector<std::string> objectives = {"next", "cbow", "skipgram"};
  ASSERT_EQ(r.arms.size(), objectives.size());
  for (std::size_t a = 0; a < objectives.size(); ++a) {
    SCOPED_TRACE(objectives[a]);
    EXPECT_EQ(r.arms[a].name, objectives[a]);
    EXPECT_EQ(r.arms[a].objective, objectives[a]);
    ASSERT_EQ(r.arms[a].runs.size(), 2u);
    // The arm trained what it is named: its first seed measures what `train --objective X` alone measures.
    RunOptions alone = o.base;
    alone.objective = objectives[a];
    const RunOutcome run = run_training(alone, console);
    EXPECT_NEAR(r.arms[a].runs[0].geometry_score, run.geometry.points.back().geometry_score, 1e-9);
    EXPECT_NEAR(r.arms[a].runs[0].val_loss, run.geometry.points.back().val_loss, 1e-9);
  }
  ASSERT_EQ(r.verdicts.size(), 2u);  // cbow and skipgram against next, on the geometry score only
  for (const std::string& v : r.verdicts) EXPECT_TRUE(contains(v, "geometry score")) << v;
  EXPECT_TRUE(contains(r.notes.front(), "no verdict compares them")) << r.notes.front();

  // The 5 most frequent toy characters with a letter in them: 't' comes first, the (more frequent) space not at all.
  ASSERT_EQ(r.neighbors.size(), 5u);
  EXPECT_EQ(r.neighbors[0].query, "t");
  for (const NeighborRow& row : r.neighbors) {
    EXPECT_NE(row.query, " ");
    ASSERT_EQ(row.by_arm.size(), r.arms.size());
    for (const std::vector<NamedNeighbor>& column : row.by_arm) {
      EXPECT_EQ(column.size(), static_cast<std::size_t>(o.base.geometry.k));
      for (const NamedNeighbor& n : column) EXPECT_NE(n.token, row.query) << "the query is left out";
      for (std::size_t i = 1; i < column.size(); ++i) EXPECT_GE(column[i - 1].cosine, column[i].cosine);
    }
  }

  TempDir dir;
  const std::string out = dir.file("exp");
  write_experiment_outputs(results, o, out, console);
  const nlohmann::json j = nlohmann::json::parse(slurp(out + "/experiments.json"))["experiments"]["objectives"];
  ASSERT_EQ(j["arms"].size(), objectives.size());
  for (std::size_t a = 0; a < objectives.size(); ++a) {
    EXPECT_EQ(j["arms"][a]["objective"], objectives[a]);
    for (std::size_t k = 0; k < 2; ++k)
      EXPECT_DOUBLE_EQ(j["arms"][a]["runs"][k]["geometry_score"].get<double>(), r.arms[a].runs[k].geometry_score);
  }
  ASSERT_EQ(j["neighbors"].size(), r.neighbors.size());
  EXPECT_EQ(j["neighbors"][0]["query"], "t");
  for (std::size_t a = 0; a < objectives.size(); ++a)
    EXPECT_EQ(j["neighbors"][0]["by_arm"][objectives[a]][0]["token"], r.neighbors[0].by_arm[a][0].token);
  const std::string md = slurp(out + "/experiments.md");
  EXPECT_TRUE(contains(md, "| query | next | cbow | skipgram |")) << md;
  EXPECT_TRUE(std::filesystem::exists(out + "/objectives_geometry.dat"));
}

TEST(Experiments, ObjectivesShowsTheNeighboursOfTheTokensOfNeighbors) {
  ExperimentOptions o;
  o.base = quick_cpu_run(20, 50);
  // Neither is among the default queries (t e h a d): #0 is the space, no word, but it was asked for.
  o.base.geometry.neighbor_tokens = {"#0", "o"};
  o.seeds = 1;
  std::ostringstream console;
  const ExperimentResult r = run_experiments({"objectives"}, o, console).front();
  ASSERT_EQ(r.neighbors.size(), 2u);
  EXPECT_EQ(r.neighbors[0].query, " ");
  EXPECT_EQ(r.neighbors[1].query, "o");
}

TEST(Experiments, ObjectivesRefusesAnObjectiveOrAnOddWindowBeforeTraining) {
  ExperimentOptions o;
  o.base = quick_cpu_run(5, 50);
  o.seeds = 1;
  o.base.objective = "cbow";
  std::ostringstream console;
  EXPECT_TRUE(contains(error_of([&] { run_experiments({"objectives"}, o, console); }), "drop --objective cbow"));
  EXPECT_TRUE(contains(error_of([&] { run_experiments(experiment_names("all"), o, console); }), "drop --objective"));
  o.base.objective = "next";
  o.base.ctx = 3;
  EXPECT_TRUE(contains(error_of([&] { run_experiments({"objectives"}, o, console); }),
                       "experiment objectives: --objective cbow takes --ctx/2 ids on each side"));
  EXPECT_EQ(console.str(), "") << "nothing trains before the refusal";
  // The other experiments still take any objective as their baseline's.
  o.base.objective = "skipgram";
  o.base.ctx = 4;
  EXPECT_NO_THROW(run_experiments({"freeze-embedding"}, o, console));

  TempDir dir;
  expect_one_line_error(run_cli("experiment objectives --device cpu --objective skipgram --out '" + dir.file("exp") + "'", dir),
                        "drop --objective skipgram");
  EXPECT_FALSE(std::filesystem::exists(dir.file("exp")));
}

}  // namespace
}  // namespace embgeo

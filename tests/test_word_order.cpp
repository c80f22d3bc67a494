// The word-order experiment: its shuffle, its verdict arithmetic, and a CI-sized run whose verdicts follow the
// mathematics (an added table leaves the mean-pool order-blind; a multiplied one and concat use order).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
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

TEST(WordOrder, ShuffleRearrangesEachWindowByItsOwnFixedPermutation) {
  const int C = 6, rows = 40;
  std::vector<std::int32_t> x(static_cast<std::size_t>(rows) * C);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int32_t>(i);  // every id says where it was
  std::vector<std::int32_t> a = x, b = x, c = x;
  shuffle_contexts(a, C, 100, 7);
  shuffle_contexts(b, C, 100, 7);
  shuffle_contexts(c, C, 101, 7);  // the same rows as windows 101..140
  EXPECT_EQ(a, b);
  int moved = 0;
  for (int r = 0; r < rows; ++r) {
    std::vector<std::int32_t> row(a.begin() + r * C, a.begin() + (r + 1) * C);
    std::sort(row.begin(), row.end());
    EXPECT_EQ(row, std::vector<std::int32_t>(x.begin() + r * C, x.begin() + (r + 1) * C)) << "row " << r;
    moved += !std::equal(row.begin(), row.end(), a.begin() + r * C);
  }
  EXPECT_GT(moved, rows * 9 / 10);  // 1/6! of the rows keep their order by chance
  EXPECT_NE(a, c) << "a window's permutation depends on the window";
}

Arm arm_with(std::vector<std::pair<double, double>> ordered_shuffled) {
  Arm arm;
  arm.name = "arm";
  for (const auto& [ordered, shuffled] : ordered_shuffled) {
    RunStats s;
    s.val_loss = ordered;
    s.shuffled_val_loss = shuffled;
    arm.runs.push_back(s);
  }
  return arm;
}

TEST(WordOrder, VerdictNeedsARiseAboveTheSeedNoiseAndTheFloor) {
  EXPECT_TRUE(order_verdict(arm_with({{1.0, 1.5}, {1.1, 1.62}, {0.9, 1.38}})).uses_order);
  // Float rounding of a reordered sum: far below the floor, whatever its spread.
  EXPECT_FALSE(order_verdict(arm_with({{1.0, 1.0 + 1e-7}, {1.1, 1.1 + 2e-7}})).uses_order);
  // A rise the seeds disagree on: mean 0.05, spread 0.3, twice the standard error 0.42.
  EXPECT_FALSE(order_verdict(arm_with({{1.0, 1.35}, {1.0, 0.75}})).uses_order);
  const OrderVerdict one = order_verdict(arm_with({{1.0, 2.0}}));
  EXPECT_TRUE(one.uses_order);
  EXPECT_TRUE(contains(one.sentence, "one seed")) << one.sentence;
  EXPECT_TRUE(contains(one.sentence, "order-using")) << one.sentence;
}

TEST(WordOrder, VerdictsFollowTheMathematicsOnTheToyText) {
  ExperimentOptions o;
  o.base = quick_cpu_run(300, 100);
  o.seeds = 2;
  std::ostringstream console;
  const ExperimentResult r = run_experiments({"word-order"}, o, console).front();
  const std::vector<std::pair<std::string, bool>> expected = {{"mean", false},
                                                              {"mean + learned P", false},
                                                              {"mean + sinusoidal P", false},
                                                              {"mean * learned P", true},
                                                              {"concat", true}};
  ASSERT_EQ(r.arms.size(), expected.size());
  for (std::size_t a = 0; a < expected.size(); ++a) {
    SCOPED_TRACE(expected[a].first);
    EXPECT_EQ(r.arms[a].name, expected[a].first);
    EXPECT_EQ(order_verdict(r.arms[a]).uses_order, expected[a].second);
    const auto fact = std::find_if(r.facts.begin(), r.facts.end(),
                                   [&](const auto& f) { return f.first == expected[a].first + " uses order"; });
    ASSERT_NE(fact, r.facts.end());
    EXPECT_EQ(fact->second, expected[a].second ? 1.0 : 0.0);
  }
  // An order-using arm pays for the shuffle; the plain mean is the same model on both.
  EXPECT_GT(r.arms[4].stat(&RunStats::shuffled_val_loss).mean, 2 * r.arms[4].stat(&RunStats::val_loss).mean);
  EXPECT_NEAR(r.arms[0].stat(&RunStats::shuffled_val_loss).mean, r.arms[0].stat(&RunStats::val_loss).mean, 1e-4);

  TempDir dir;
  write_experiment_outputs({r}, o, dir.file("exp"), console);
  const nlohmann::json j = nlohmann::json::parse(slurp(dir.path() / "exp" / "experiments.json"))["experiments"]["word-order"];
  ASSERT_EQ(j["arms"].size(), expected.size());
  EXPECT_TRUE(j["arms"][4]["runs"][0]["shuffled_val_loss"].is_number());
  EXPECT_TRUE(contains(slurp(dir.path() / "exp" / "experiments.md"), "val shuffled"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "exp" / "word_order_shuffle.dat"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "exp" / "word-order_loss.dat"));
}

TEST(WordOrder, RefusesAPoolingOrSkipgramBeforeTraining) {
  ExperimentOptions o;
  o.base = quick_cpu_run(5, 5);
  o.seeds = 1;
  std::ostringstream console;
  o.base.pool = "concat";
  EXPECT_TRUE(contains(error_of([&] { run_experiments({"word-order"}, o, console); }), "drop --pool"));
  o.base.pool = "mean";
  o.base.objective = "skipgram";
  EXPECT_TRUE(contains(error_of([&] { run_experiments({"word-order"}, o, console); }), "needs a context to shuffle"));
  EXPECT_EQ(console.str(), "") << "nothing trains before the refusal";

  TempDir dir;
  expect_one_line_error(run_cli("experiment word-order --device cpu --position learned --out '" + dir.file("exp") + "'", dir),
                        "drop --pool and --position");
  EXPECT_FALSE(std::filesystem::exists(dir.file("exp")));
}

}  // namespace
}  // namespace embgeo

// The training objectives (next, cbow, skipgram): their windows on a hand-made text checked id by id, the
// sampled batches against what each objective means, the refusals, and training end to end on the CPU.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <sstream>

#include "cli_runner.hpp"
#include "cpu/reference/cpu_ops.hpp"
#include "embgeo/error.hpp"
#include "embgeo/philox.hpp"
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

// A text whose id at position i is i, so every x and y says which position it came from.
std::vector<std::int32_t> positions(int n) {
  std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) ids[static_cast<std::size_t>(i)] = i;
  return ids;
}

struct Batch {
  std::vector<std::int32_t> x, y;
};

Batch evaluation_windows(const WindowLayout& layout, std::int64_t first_window, int rows) {
  const std::vector<std::int32_t> text = positions(12);
  Batch b{std::vector<std::int32_t>(static_cast<std::size_t>(rows) * layout.pooled_ids()), std::vector<std::int32_t>(rows)};
  cpu::window_batch(text.data(), first_window, b.x.data(), b.y.data(), rows, layout);
  return b;
}

TEST(Objectives, EvaluationWindowsOfAHandMadeTextAreLaidOutExactly) {
  // Windows 2, 3 and 4 of the text 0 1 2 ... 11, with --ctx 4.
  const Batch next = evaluation_windows({Objective::kNext, 4}, 2, 3);
  EXPECT_EQ(next.x, (std::vector<std::int32_t>{2, 3, 4, 5, 3, 4, 5, 6, 4, 5, 6, 7}));
  EXPECT_EQ(next.y, (std::vector<std::int32_t>{6, 7, 8}));

  const Batch cbow = evaluation_windows({Objective::kCbow, 4}, 2, 3);
  EXPECT_EQ(cbow.x, (std::vector<std::int32_t>{2, 3, 5, 6, 3, 4, 6, 7, 4, 5, 7, 8}));
  EXPECT_EQ(cbow.y, (std::vector<std::int32_t>{4, 5, 6}));

  // Skip-gram: the centre alone; window w predicts its context id (w mod 4): offsets 0 1 3 4 around centre 2.
  const Batch skipgram = evaluation_windows({Objective::kSkipgram, 4}, 2, 4);
  EXPECT_EQ(skipgram.x, (std::vector<std::int32_t>{4, 5, 6, 7}));
  EXPECT_EQ(skipgram.y, (std::vector<std::int32_t>{5, 7, 4, 6}));  // w=2: offset 3; w=3: 4; w=4: 0; w=5: 1
}

// Sampled rows of each objective, checked against what the objective means rather than against the formula:
// next's context ends just before its target, cbow's surrounds it, skip-gram's centre sees every neighbour.
TEST(Objectives, SampledRowsAreTheObjectivesWindowsAndSkipgramDrawsEveryNeighbour) {
  const std::vector<std::int32_t> text = positions(400);
  const int B = 512, context = 6;
  const std::int64_t begin = 10, count = 300;
  for (const Objective o : {Objective::kNext, Objective::kCbow, Objective::kSkipgram}) {
    SCOPED_TRACE(objective_name(o));
    const WindowLayout layout{o, context};
    const int C = layout.pooled_ids();
    std::vector<std::int32_t> x(static_cast<std::size_t>(B) * C), y(B);
    cpu::sample_batch(text.data(), 7, 3, begin, count, x.data(), y.data(), B, layout);
    std::set<int> skipgram_offsets;
    for (int b = 0; b < B; ++b) {
      const std::int32_t* row = &x[static_cast<std::size_t>(b) * C];
      // The window the row drew, from its first token; it must lie inside [begin, begin + count).
      const std::int64_t w = o == Objective::kSkipgram ? row[0] - context / 2 : row[0];
      ASSERT_GE(w, begin);
      ASSERT_LT(w, begin + count);
      if (o == Objective::kNext) {
        for (int c = 0; c < C; ++c) EXPECT_EQ(row[c], y[b] - C + c);
      } else if (o == Objective::kCbow) {
        for (int c = 0; c < C / 2; ++c) EXPECT_EQ(row[c], y[b] - C / 2 + c);
        for (int c = C / 2; c < C; ++c) EXPECT_EQ(row[c], y[b] - C / 2 + c + 1);
      } else {
        const int offset = y[b] - row[0];
        EXPECT_NE(offset, 0);
        EXPECT_LE(std::abs(offset), context / 2);
        skipgram_offsets.insert(offset);
      }
    }
    if (o == Objective::kSkipgram) EXPECT_EQ(skipgram_offsets, (std::set<int>{-3, -2, -1, 1, 2, 3}));
  }
}

// A data-parallel rank draws its rows' pairs as the single process does.
TEST(Objectives, ARanksShareOfASkipgramBatchIsThatPartOfTheWholeBatch) {
  const std::vector<std::int32_t> text = positions(200);
  const WindowLayout layout{Objective::kSkipgram, 4};
  std::vector<std::int32_t> x(16), y(16), x_part(8), y_part(8);
  cpu::sample_batch(text.data(), 3, 5, 0, 150, x.data(), y.data(), 16, layout);
  cpu::sample_batch(text.data(), 3, 5, 0, 150, x_part.data(), y_part.data(), 8, layout, 8);
  EXPECT_EQ(x_part, std::vector<std::int32_t>(x.begin() + 8, x.end()));
  EXPECT_EQ(y_part, std::vector<std::int32_t>(y.begin() + 8, y.end()));
}

TEST(Objectives, NamesAndRefusals) {
  EXPECT_EQ(parse_objective("skipgram"), Objective::kSkipgram);
  EXPECT_STREQ(objective_name(parse_objective("cbow")), "cbow");
  EXPECT_THROW(parse_objective("skip-gram"), Error);
  EXPECT_THROW(validate_window_layout({Objective::kCbow, 5}), Error);
  EXPECT_THROW(validate_window_layout({Objective::kSkipgram, 0}), Error);
  EXPECT_NO_THROW(validate_window_layout({Objective::kNext, 5}));
  BackendConfig mismatched;
  mismatched.shape = {10, 4, 3, 2};
  mismatched.objective = Objective::kSkipgram;
  mismatched.skipgram_window = 4;
  EXPECT_THROW(make_cpu_backend(mismatched), Error);  // skip-gram pools one id a row, not 3
}

RunOptions toy_options(const std::string& objective, std::int64_t steps) {
  RunOptions o = testing_support::quick_cpu_run(steps, 100);
  o.objective = objective;
  return o;
}

// Each objective learns the toy text (char level) well below the uniform loss. Skip-gram's task, one char's
// neighbour from the char alone, is the hardest, and its bound the loosest.
TEST(Objectives, EachObjectiveLearnsTheToyText) {
  for (const auto& [objective, bound] : {std::pair{"next", 0.45}, std::pair{"cbow", 0.2}, std::pair{"skipgram", 0.85}}) {
    SCOPED_TRACE(objective);
    std::ostringstream console;
    const RunOutcome run = run_training(toy_options(objective, 600), console);
    const double uniform = std::log(static_cast<double>(run.shape.V));
    EXPECT_NEAR(run.result.log.front().val_loss, uniform, 0.5);
    EXPECT_LT(run.result.log.back().val_loss, bound * uniform) << "val loss " << run.result.log.back().val_loss;
    EXPECT_EQ(run.shape.C, std::string(objective) == "skipgram" ? 1 : 8);
    EXPECT_EQ(run.geometry.window, 8);  // the geometry score counts --ctx positions for every objective
  }
}

TEST(Objectives, StoppedAndResumedRunsOfEachObjectiveAreBitIdentical) {
  const TempDir scratch;
  for (const char* objective : {"cbow", "skipgram"}) {
    SCOPED_TRACE(objective);
    RunOptions o = toy_options(objective, 60);
    o.log_every = 20;
    o.checkpoint_every = 25;
    testing_support::expect_resume_is_bit_identical(
        o, [](const BackendConfig& c) { return make_cpu_backend(c, CpuPath::kFast); }, scratch.file("run.ckpt"), 37);
    EXPECT_EQ(read_checkpoint(scratch.file("run.ckpt")).options.objective, objective);
  }
}

TEST(ObjectivesCli, TrainSaysWhichObjectiveAndRecordsIt) {
  const TempDir dir;
  const CliResult r = run_cli("train --device cpu --objective skipgram --steps 30 --log-every 10 --out '" + dir.file("run") + "'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "model: skipgram (softmax), pool mean, D=16 C=1")) << r.out;
  const std::string summary = slurp(dir.path() / "run" / "summary.json");
  EXPECT_TRUE(contains(summary, "\"objective\": \"skipgram\"")) << summary;
  EXPECT_TRUE(contains(summary, "\"ctx\": 8")) << summary;
}

TEST(ObjectivesCli, BadObjectivesAndWindowsGetOneLine) {
  const TempDir dir;
  expect_one_line_error(run_cli("train --device cpu --objective cbow --ctx 5 --no-files", dir), "must be even");
  expect_one_line_error(run_cli("train --device cpu --objective sideways --no-files", dir),
                        "--objective must be next, cbow or skipgram");
}

}  // namespace
}  // namespace embgeo

// Data-parallel training on the CPU path: `mpirun -np 2 embgeo-cuda train` is the single-process run split
// over two ranks (equal within the verify tolerances, every optimizer, both exchanges, at the toy and a
// word-level shape), deterministic run to run, and a rank that dies or fails ends the job instead of hanging it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <tuple>

#include "cli_runner.hpp"
#include "ranks_runner.hpp"
#include "cpu/reference/cpu_ops.hpp"
#include "formats/formats.hpp"
#include "test_support.hpp"
#include "verify/compare.hpp"

namespace embgeo {
namespace {

using testing_support::CliResult;
using testing_support::contains;
using testing_support::final_embedding;
using testing_support::run_cli;
using testing_support::run_ranks;
using testing_support::slurp;
using testing_support::TempDir;

// The union of the ranks' rows is the single-process batch, row for row.
TEST(Ranks, EachRankDrawsItsRowsOfTheSingleProcessBatch) {
  std::vector<std::int32_t> corpus(500);
  for (std::size_t i = 0; i < corpus.size(); ++i) corpus[i] = static_cast<std::int32_t>((i * 7) % 23);
  const int B = 12, C = 3, ranks = 3, rows = B / ranks;
  std::vector<std::int32_t> x(B * C), y(B), x_part(rows * C), y_part(rows);
  cpu::sample_batch(corpus.data(), 9, 4, 10, 400, x.data(), y.data(), B, WindowLayout{Objective::kNext, C});
  for (int r = 0; r < ranks; ++r) {
    cpu::sample_batch(corpus.data(), 9, 4, 10, 400, x_part.data(), y_part.data(), rows, WindowLayout{Objective::kNext, C}, r * rows);
    EXPECT_TRUE(std::equal(x_part.begin(), x_part.end(), x.begin() + r * rows * C)) << "rank " << r;
    EXPECT_TRUE(std::equal(y_part.begin(), y_part.end(), y.begin() + r * rows)) << "rank " << r;
  }
}

struct Case {
  // toy: the built-in corpus by characters; word: a ~1500-word vocabulary, also with the other objectives and
  // negative sampling (whose noise ids a rank draws for its rows as the single process does)
  const char* shape;
  const char* optimizer;
  const char* exchange;
};
void PrintTo(const Case& c, std::ostream* out) { *out << c.shape << " " << c.optimizer << " " << c.exchange; }

std::string shape_args(const std::string& shape, const TempDir& dir) {
  if (shape == "toy") return "--steps 50 --log-every 25";
  const std::string word = "--corpus '" + testing_support::write_word_corpus(dir) +
                           "' --tokenizer word --dim 24 --ctx 4 --batch 64 --steps 50 --log-every 25 --lr 0.005";
  if (shape == "word_cbow_negsamp") return word + " --objective cbow --loss negative-sampling";
  if (shape == "word_skipgram") return word + " --objective skipgram";
  if (shape == "word_concat_position") return word + " --pool concat --position learned --position-mode multiply";
  if (shape == "word_position_frozen") return word + " --position learned --freeze-embedding";
  return word;
}

bool embedding_frozen(const Case& c) { return std::string(c.shape) == "word_position_frozen"; }

// A run's position table before or after training (`when`: "before" or "after").
std::vector<float> position_table(const std::string& run_dir, const std::string& when) {
  const std::string path = run_dir + "/embedding_" + when + ".safetensors";
  const formats::MappedFile file(path);
  const formats::SafetensorsHeader header = formats::parse_safetensors(file.data(), file.size(), path);
  return formats::load_safetensors_tensor(file.data(), file.size(), header, "position", path).values;
}

// The trained tensor a case follows: the embedding, or the position table when the embedding is frozen.
std::vector<float> final_table(const std::string& run_dir, const Case& c) {
  return embedding_frozen(c) ? position_table(run_dir, "after") : final_embedding(run_dir);
}

class TwoRanks : public ::testing::TestWithParam<Case> {};

TEST_P(TwoRanks, EqualTheSingleProcessRun) {
  REQUIRE_MPIRUN();
  const Case c = GetParam();
  const TempDir dir;
  const std::string common =
      "train --device cpu --optimizer " + std::string(c.optimizer) + " " + shape_args(c.shape, dir) + " --out ";
  const CliResult one = run_cli(common + "'" + dir.file("one") + "'", dir);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const CliResult two = run_ranks(2, common + "'" + dir.file("two") + "' --exchange " + c.exchange, dir);
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_TRUE(contains(two.out, std::string("exchange ") + c.exchange)) << two.out;

  const std::vector<float> want = final_table(dir.file("one"), c), got = final_table(dir.file("two"), c);
  // What verify allows a free-running trajectory: summation order is all that differs.
  const Comparison cmp = compare_tensors("trained table after 50 steps", got, want, scaled_tolerance(want, 1e-4, 1e-3));
  EXPECT_TRUE(cmp.pass()) << cmp.mismatches << " mismatches, e.g. " << (cmp.first_mismatches.empty() ? "" : cmp.first_mismatches[0]);
  // A learned table's small updates often round to the same floats either way: there, that it trained at all.
  if (embedding_frozen(c))
    EXPECT_NE(got, position_table(dir.file("two"), "before")) << "the position table never trained";
  else
    EXPECT_GT(cmp.max_abs, 0.0) << "bit-identical: were the gradients exchanged at all, or did one rank train alone?";

  const nlohmann::json a = nlohmann::json::parse(slurp(dir.file("one") + "/summary.json"));
  const nlohmann::json b = nlohmann::json::parse(slurp(dir.file("two") + "/summary.json"));
  EXPECT_EQ(b["ranks"], 2);
  EXPECT_EQ(b["exchange"], c.exchange);
  EXPECT_NEAR(b["val_loss"].get<double>(), a["val_loss"].get<double>(), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Optimizers, TwoRanks,
                         ::testing::Values(Case{"toy", "sgd", "dense"}, Case{"toy", "sgd", "sparse"},
                                           Case{"toy", "adam", "dense"}, Case{"toy", "adam", "sparse"},
                                           Case{"toy", "lazy-adam", "sparse"}, Case{"word", "sgd", "dense"},
                                           Case{"word", "sgd", "sparse"}, Case{"word", "adam", "dense"},
                                           Case{"word", "adam", "sparse"}, Case{"word", "lazy-adam", "sparse"},
                                           Case{"word_cbow_negsamp", "adam", "dense"},
                                           Case{"word_cbow_negsamp", "lazy-adam", "sparse"},
                                           Case{"word_skipgram", "adam", "sparse"},
                                           // dP all-reduced, an H = C·D wide dh gathered, a table trained alone
                                           Case{"word_concat_position", "adam", "dense"},
                                           Case{"word_concat_position", "lazy-adam", "sparse"},
                                           Case{"word_position_frozen", "sgd", "dense"}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = std::string(info.param.shape) + "_" + info.param.optimizer + "_" +
                                              info.param.exchange;
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

TEST(Ranks, TwoRankRunsAreBitIdenticalRunToRun) {
  REQUIRE_MPIRUN();
  const TempDir dir;
  testing_support::expect_repeatable_rank_runs(2, "train --device cpu --deterministic --steps 40 --log-every 20", dir);
}

// (step, training loss, validation loss) of each line of a run's metrics.jsonl.
std::vector<std::tuple<std::int64_t, double, double>> logged_losses(const std::string& run_dir) {
  std::vector<std::tuple<std::int64_t, double, double>> losses;
  std::istringstream lines(slurp(run_dir + "/metrics.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json j = nlohmann::json::parse(line);
    losses.emplace_back(j.at("step").get<std::int64_t>(), j.at("train_loss").get<double>(), j.at("val_loss").get<double>());
  }
  return losses;
}

// A signal reaching one rank stops both at the same step with a checkpoint, which continues bit-identically on
// 2 ranks (the logged losses too, up to the order of their sums: the checkpoint holds the loss summed over all
// ranks, and one rank carries it on) and on 1 rank to the same loss. The run is long enough (seconds) for the
// signal to arrive before its end.
TEST(Ranks, AnInterruptedTwoRankRunResumesOnTwoOrOne) {
  REQUIRE_MPIRUN();
  const TempDir dir;
  const std::string run = "train --device cpu --steps 400000 --log-every 100000 --out ";
  ASSERT_EQ(run_ranks(2, run + "'" + dir.file("whole") + "'", dir).exit_code, 0);
  const testing_support::SignalledRankOutcome stopped =
      testing_support::signal_a_rank_mid_run(2, 1, SIGINT, run + "'" + dir.file("a") + "'", dir);
  EXPECT_NE(stopped.exit_code, 0);
  ASSERT_TRUE(contains(stopped.err, "checkpoint written")) << stopped.err;
  std::filesystem::create_directories(dir.file("b"));
  std::filesystem::copy_file(dir.file("a") + "/checkpoint.safetensors", dir.file("b") + "/checkpoint.safetensors");

  const std::string resume = "train --device cpu --resume ";
  const CliResult on_two = run_ranks(2, resume + "'" + dir.file("a") + "/checkpoint.safetensors'", dir);
  ASSERT_EQ(on_two.exit_code, 0) << on_two.err;
  const CliResult on_one = run_cli(resume + "'" + dir.file("b") + "/checkpoint.safetensors'", dir);
  ASSERT_EQ(on_one.exit_code, 0) << on_one.err;

  const std::vector<float> whole = final_embedding(dir.file("whole"));
  EXPECT_EQ(final_embedding(dir.file("a")), whole) << "resumed on 2 ranks";
  const auto resumed = logged_losses(dir.file("a")), uninterrupted = logged_losses(dir.file("whole"));
  ASSERT_EQ(resumed.size(), uninterrupted.size());
  for (std::size_t i = 0; i < resumed.size(); ++i) {  // the loss sums add the same terms in another order
    EXPECT_EQ(std::get<0>(resumed[i]), std::get<0>(uninterrupted[i]));
    EXPECT_NEAR(std::get<1>(resumed[i]), std::get<1>(uninterrupted[i]), 1e-9) << "step " << std::get<0>(resumed[i]);
    EXPECT_NEAR(std::get<2>(resumed[i]), std::get<2>(uninterrupted[i]), 1e-9) << "step " << std::get<0>(resumed[i]);
  }
  // Tens of thousands of free-running steps apart by rounding: the same loss, not the same bits.
  const nlohmann::json one = nlohmann::json::parse(slurp(dir.file("b") + "/summary.json"));
  const nlohmann::json two = nlohmann::json::parse(slurp(dir.file("whole") + "/summary.json"));
  EXPECT_EQ(one["ranks"], 1);
  EXPECT_NEAR(one["val_loss"].get<double>(), two["val_loss"].get<double>(), 0.01);
}

TEST(Ranks, AutoPicksTheExchangeThatMovesFewerBytes) {
  REQUIRE_MPIRUN();
  const TempDir dir;
  // The toy: V·D = 21·16 floats all-reduced beat 32 rows of ids and dh gathered.
  const CliResult toy = run_ranks(2, "train --device cpu --steps 2 --log-every 1 --no-files", dir);
  ASSERT_EQ(toy.exit_code, 0) << toy.err;
  EXPECT_TRUE(contains(toy.out, "exchange dense")) << toy.out;
  // ~1500 words × 24 dims against 64 rows of 4 ids and 24 floats: sparse.
  const CliResult words = run_ranks(2, "train --device cpu --no-files " + shape_args("word", dir), dir);
  ASSERT_EQ(words.exit_code, 0) << words.err;
  EXPECT_TRUE(contains(words.out, "exchange sparse")) << words.out;
}

TEST(Ranks, OnlyRankZeroSpeaks) {
  REQUIRE_MPIRUN();
  const TempDir dir;
  const CliResult r = run_ranks(2, "train --device cpu --steps 10 --log-every 5 --no-files", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t lines_at_step_5 = 0;
  for (std::size_t at = r.out.find("step  5/10"); at != std::string::npos; at = r.out.find("step  5/10", at + 1))
    ++lines_at_step_5;
  EXPECT_EQ(lines_at_step_5, 1u) << r.out;
}

TEST(Ranks, BadSplitsAndCombinationsAreRefusedInOneLine) {
  REQUIRE_MPIRUN();
  const TempDir dir;
  const CliResult odd = run_ranks(2, "train --device cpu --batch 33 --steps 2 --no-files", dir);
  EXPECT_NE(odd.exit_code, 0);
  EXPECT_TRUE(contains(odd.err, "error: rank ")) << odd.err;  // each rank says it; mpirun keeps the first
  EXPECT_TRUE(contains(odd.err, ": --batch 33 does not split evenly over 2 ranks")) << odd.err;
  const CliResult lazy = run_ranks(2, "train --device cpu --optimizer lazy-adam --exchange dense --steps 2 --no-files", dir);
  EXPECT_NE(lazy.exit_code, 0);
  EXPECT_TRUE(contains(lazy.err, "lazy-adam on several ranks needs --exchange sparse")) << lazy.err;
  const CliResult verify = run_ranks(2, "verify --against-cpu --shapes toy", dir);
  EXPECT_NE(verify.exit_code, 0);
  EXPECT_TRUE(contains(verify.err, "only `train` runs on several ranks")) << verify.err;
  testing_support::expect_one_line_error(run_cli("train --exchange ring --no-files", dir), "--exchange must be auto, dense or sparse");
}

// Ranks started with different devices (fast float loops and the double-accumulating reference) apply the
// same summed gradients with different rounding: the checksum at the first log point stops the run.
TEST(Ranks, RanksWhoseParametersDifferStopAtTheFirstLogPoint) {
  REQUIRE_MPIRUN();
  const TempDir dir;
  const std::string args = "train --steps 40 --log-every 20 --no-files --device ";
  const CliResult r = run_cli(args + "cpu : -np 1 '" + testing_support::cli_path() + "' " + args + "cpu-reference", dir,
                              "timeout 300 " + testing_support::mpirun_command(1));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "ranks disagree at step 20: rank 1's parameters differ from rank 0's")) << r.err;
}

TEST(Ranks, AKilledRankEndsTheJobWithinSeconds) {
  REQUIRE_MPIRUN();
  const TempDir dir;
  testing_support::expect_killed_rank_ends_job("train --device cpu --steps 100000000 --log-every 1000 --no-files", dir);
}

// A rank that fails on its own (here rank 1's corpus does not exist) prints why and ends the job, while rank 0
// would otherwise wait for it forever in the first collective.
TEST(Ranks, AFailingRankNamesItselfAndEndsTheJob) {
  REQUIRE_MPIRUN();
  const TempDir dir;
  const std::string args = "train --device cpu --steps 1000 --log-every 100 --no-files";
  const auto start = std::chrono::steady_clock::now();
  const CliResult r = run_cli(args + " : -np 1 '" + testing_support::cli_path() + "' " + args + " --corpus '" +
                                  dir.file("missing.txt") + "'",
                              dir, "timeout 120 " + testing_support::mpirun_command(1));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 124) << "the job hung until timeout killed it";
  EXPECT_TRUE(contains(r.err, "error: rank 1: ")) << r.err;
  EXPECT_TRUE(contains(r.err, "missing.txt")) << r.err;
  EXPECT_LT(seconds, 30.0);
}

}  // namespace
}  // namespace embgeo

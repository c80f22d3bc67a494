// `embgeo-cuda bench` on the CPU, end to end at small sizes: every section runs, checks its fast routes
// against the reference before timing, and writes machine-readable figures; bad options are one-line errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "ranks_runner.hpp"

namespace embgeo {
namespace {

using testing_support::CliResult;
using testing_support::expect_one_line_error;
using testing_support::run_cli;
using testing_support::slurp;
using testing_support::TempDir;

nlohmann::json bench_json(const std::string& args, const TempDir& dir) {
  const CliResult r = run_cli("bench " + args + " --device cpu --out '" + dir.file("bench") + "'", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  return nlohmann::json::parse(slurp(dir.file("bench/bench.json")));
}

TEST(BenchCli, LookupVsOnehotOnTheCpuReportsEveryVocabulary) {
  TempDir dir;
  const nlohmann::json j = bench_json("lookup-vs-onehot --vocab 10,1000 --dim 8 --tokens 32 --repeats 1", dir);
  const auto& rows = j["lookup_vs_onehot"]["rows"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1]["V"], 1000);
  EXPECT_GT(rows[1]["lookup_ms"].get<double>(), 0);
  EXPECT_TRUE(rows[1]["onehot_fp32"]["fits"].get<bool>());
  EXPECT_DOUBLE_EQ(rows[1]["onehot_fp32"]["bytes"].get<double>(), 4.0 * 32 * 1000);
  EXPECT_GT(j["lookup_vs_onehot"]["copy_bytes_per_second"].get<double>(), 0);
}

TEST(BenchCli, AOnehotMatrixBeyondHostMemoryIsReportedNotBuilt) {
  TempDir dir;
  // 65536 × 2^24 floats = 4 TiB: the row says "does not fit" with the bytes it would need.
  const nlohmann::json j = bench_json("lookup-vs-onehot --vocab 16777216 --dim 1 --tokens 65536 --repeats 1", dir);
  const auto& route = j["lookup_vs_onehot"]["rows"][0]["onehot_fp32"];
  EXPECT_FALSE(route["fits"].get<bool>());
  EXPECT_DOUBLE_EQ(route["bytes"].get<double>(), 4.0 * 65536 * 16777216);
  EXPECT_GT(j["lookup_vs_onehot"]["rows"][0]["lookup_ms"].get<double>(), 0);
}

TEST(BenchCli, KernelsOnTheCpuTimeEveryOpAgainstTheCeilings) {
  TempDir dir;
  const nlohmann::json j = bench_json("kernels --repeats 1", dir);
  std::vector<std::string> names;
  for (const auto& k : j["kernels"]) {
    names.push_back(k["name"]);
    EXPECT_GE(k["ms"].get<double>(), 0) << k["name"];
  }
  for (const char* op : {"gather_pool_forward", "softmax_xent_forward_backward", "adam_step over E (V·D)",
                         "plain cblas_sgemm, same shape", "scatter_add_backward, Zipf ids"})
    EXPECT_NE(std::find(names.begin(), names.end(), op), names.end()) << op;
}

TEST(BenchCli, TrainOnTheCpuComparesTheFastPathWithTheReference) {
  TempDir dir;
  const nlohmann::json j = bench_json("train --shapes toy --steps 50", dir);
  ASSERT_EQ(j["train"].size(), 1u);
  const auto& row = j["train"][0];
  EXPECT_EQ(row["device"], "cpu");
  EXPECT_GT(row["steps_per_second"].get<double>(), 0);
  EXPECT_GT(row["reference_steps_per_second"].get<double>(), 0);
  EXPECT_GT(row["floor_ms"].get<double>(), 0);
}

// Each row is a real mpirun job; the 2-rank run's exchange is timed apart from the rest of its step.
TEST(BenchCli, TrainOverRanksReportsScalingAndTheExchange) {
  REQUIRE_MPIRUN();
  TempDir dir;
  const nlohmann::json j = bench_json("train --shapes toy --steps 200 --ranks 1,2", dir);
  ASSERT_EQ(j["rank_scaling"].size(), 2u);
  const auto& one = j["rank_scaling"][0];
  const auto& two = j["rank_scaling"][1];
  EXPECT_EQ(one["ranks"], 1);
  EXPECT_EQ(two["ranks"], 2);
  EXPECT_DOUBLE_EQ(one["speedup"].get<double>(), 1.0);
  EXPECT_NEAR(two["efficiency"].get<double>(),
              two["steps_per_second"].get<double>() / one["steps_per_second"].get<double>() / 2, 1e-9);
  EXPECT_GT(two["exchange_ms_per_step"].get<double>(), 0);
  EXPECT_GT(two["exchange_bytes_per_step"].get<double>(), one["exchange_bytes_per_step"].get<double>());
  EXPECT_FALSE(j.contains("train")) << "--ranks measures scaling instead of the single-process table";
}

// Real text nobody here wrote, on every Debian system (base-files): ~1,900 words, a few seconds a side.
const char* const kWordText = "/usr/share/common-licenses/Apache-2.0";

// tools/deps.sh installs both peers, so a missing one fails the test, except for a prebuilt bundle run
// elsewhere ($EMBGEO_CLI), where it is skipped with the package to install.
#define REQUIRE_PEER(check, package)                                                                        \
  do {                                                                                                      \
    if (std::system(check) != 0) {                                                                          \
      if (std::getenv("EMBGEO_CLI") == nullptr) GTEST_FAIL() << package " not installed (tools/deps.sh installs it)"; \
      GTEST_SKIP() << package " not installed on this machine: apt-get install " package;                   \
    }                                                                                                       \
  } while (0)
#define REQUIRE_FASTTEXT() REQUIRE_PEER("command -v fasttext >/dev/null", "fasttext")
#define REQUIRE_GENSIM() REQUIRE_PEER("/usr/bin/python3 -c 'import gensim' 2>/dev/null", "python3-gensim")

// Both rows measured; both tables have a row for every measured word (the peer trained on our tokens); the
// ratio is the two rates'.
void expect_both_sides(const nlohmann::json& j, const std::string& peer) {
  ASSERT_TRUE(j.contains("train_peer")) << j.dump();
  const auto& p = j["train_peer"];
  EXPECT_EQ(p["peer"], peer);
  ASSERT_EQ(p["rows"].size(), 2u);
  for (const auto& row : p["rows"]) {
    EXPECT_GT(row["words_per_second"].get<double>(), 0) << row["side"];
    EXPECT_TRUE(std::isfinite(row["loss"].get<double>())) << row["side"];
    const double score = row["geometry_score"].get<double>();
    EXPECT_TRUE(std::isfinite(score) && score >= -1 && score <= 1) << row["side"] << " " << score;
    EXPECT_EQ(row["mapped_tokens"], p["training_words"]) << row["side"];
  }
  EXPECT_TRUE(std::isfinite(p["rows"][0]["val_loss"].get<double>()));
  EXPECT_NEAR(p["words_per_second_ratio"].get<double>(),
              p["rows"][0]["words_per_second"].get<double>() / p["rows"][1]["words_per_second"].get<double>(), 1e-9);
  // Equal work: our rows cover the epochs' words, short by less than one batch.
  const std::int64_t rows = p["steps"].get<std::int64_t>() * p["B"].get<std::int64_t>();
  const std::int64_t words = p["epochs"].get<std::int64_t>() * p["training_words"].get<std::int64_t>();
  EXPECT_GE(rows, words);
  EXPECT_LT(rows - words, p["B"].get<std::int64_t>());
}

TEST(BenchCli, TrainBesideFasttextReportsWordsPerSecondLossAndGeometryOfBoth) {
  REQUIRE_FASTTEXT();
  TempDir dir;
  const nlohmann::json j = bench_json(std::string("train --peer fasttext --corpus ") + kWordText + " --dim 16 --epochs 2", dir);
  expect_both_sides(j, "fasttext");
  EXPECT_EQ(j["train_peer"]["loss"], "softmax");
}

TEST(BenchCli, TrainBesideGensimReportsWordsPerSecondLossAndGeometryOfBoth) {
  REQUIRE_GENSIM();
  TempDir dir;
  const nlohmann::json j = bench_json(std::string("train --peer gensim --corpus ") + kWordText + " --dim 16 --epochs 2", dir);
  expect_both_sides(j, "gensim");
  EXPECT_EQ(j["train_peer"]["loss"], "negative-sampling");
  EXPECT_EQ(j["train_peer"]["negatives"], 5);
}

TEST(BenchCli, AMissingPeerIsAOneLineErrorNamingItsPackage) {
  TempDir dir;
  const std::string args = std::string("bench train --device cpu --corpus ") + kWordText + " --out '" + dir.file("b") + "' --peer ";
  expect_one_line_error(run_cli(args + "fasttext", dir, "EMBGEO_FASTTEXT=/nonexistent/fasttext "), "apt-get install fasttext");
  expect_one_line_error(run_cli(args + "gensim", dir, "EMBGEO_GENSIM_SCRIPT=/nonexistent/peer_gensim.py "),
                        "gensim peer script not found");
  EXPECT_FALSE(std::filesystem::exists(dir.file("b")) && !std::filesystem::is_empty(dir.file("b")))
      << "a failed peer leaves no scratch files behind";
}

TEST(BenchCli, BadOptionsAreOneLineErrors) {
  TempDir dir;
  expect_one_line_error(run_cli("bench frobnicate --device cpu", dir), "unknown bench");
  expect_one_line_error(run_cli("bench lookup-vs-onehot --device cpu --vocab 0", dir), "--vocab");
  expect_one_line_error(run_cli("bench train --device cpu --shapes huge", dir), "unknown bench shape");
  expect_one_line_error(run_cli("bench train --device cpu --peer tensorflow", dir), "--peer");
  expect_one_line_error(run_cli("bench train --device cpu --ranks 0", dir), "--ranks values must be in [1, 1024]");
  expect_one_line_error(run_cli("bench train --device cpu --ranks 1,2 --peer pytorch", dir), "give one");
  expect_one_line_error(run_cli("bench train --device cpu --peer fasttext", dir), "needs --corpus");
  expect_one_line_error(run_cli("bench kernels --device cpu --peer gensim --corpus x", dir), "belongs to bench train");
  expect_one_line_error(run_cli("bench train --device cpu --corpus x", dir), "belong to --peer fasttext|gensim");
  expect_one_line_error(run_cli("bench train --device 0 --peer gensim --corpus x", dir), "one CPU thread each side");
  expect_one_line_error(run_cli("bench train --device cpu --peer gensim --corpus x --ctx 3", dir), "--ctx");
}

}  // namespace
}  // namespace embgeo

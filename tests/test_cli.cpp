// The CLI as a user meets it: bad input is one clear line and a non-zero exit, never a crash or a
// partial output file; a good run writes what the README promises.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "embgeo/cuda_backend.hpp"
#include "test_support.hpp"
#include "train/device.hpp"

namespace embgeo {
namespace {

using testing_support::CliResult;
using testing_support::run_cli;
using testing_support::TempDir;

using testing_support::expect_one_line_error;

void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

TEST(Cli, BadTrainInputsFailInOneLine) {
  TempDir dir;
  write_file(dir.file("empty.txt"), "");
  write_file(dir.file("short.txt"), "tiny text");
  write_file(dir.file("binary.txt"), std::string("abc\xFF\xFE", 5));
  expect_one_line_error(run_cli("train --corpus /nonexistent/file.txt --out '" + dir.file("run") + "'", dir),
                        "cannot open");
  EXPECT_FALSE(std::filesystem::exists(dir.file("run"))) << "a failed run left its directory behind";
  expect_one_line_error(
      run_cli("experiment freeze-embedding --corpus /nonexistent/file.txt --out '" + dir.file("exp") + "'", dir),
      "cannot open");
  EXPECT_FALSE(std::filesystem::exists(dir.file("exp"))) << "a failed experiment left its directory behind";
  expect_one_line_error(run_cli("train --corpus '" + dir.file("empty.txt") + "'", dir), "is empty");
  expect_one_line_error(run_cli("train --corpus '" + dir.file("short.txt") + "'", dir), "needs at least");
  expect_one_line_error(run_cli("train --corpus '" + dir.file("binary.txt") + "'", dir),
                        "binary.txt: invalid UTF-8 at byte 3");
  expect_one_line_error(run_cli("train --corpus '" + dir.path().string() + "'", dir), "not a regular file");
  expect_one_line_error(run_cli("train --dim 0 --device cpu", dir), "--dim must be in");
  expect_one_line_error(run_cli("train --dim 1000000 --device cpu", dir), "--dim must be in");
  expect_one_line_error(run_cli("train --ctx -2 --device cpu", dir), "--ctx must be in");
  expect_one_line_error(run_cli("train --batch 0 --device cpu", dir), "--batch must be in");
  expect_one_line_error(run_cli("train --steps 0 --device cpu", dir), "--steps must be");
  expect_one_line_error(run_cli("train --lr -1 --device cpu", dir), "--lr must be");
  expect_one_line_error(run_cli("train --optimizer lion --device cpu", dir), "--optimizer must be");
  expect_one_line_error(run_cli("train --val-fraction 1.5 --device cpu", dir), "--val-fraction");
  expect_one_line_error(run_cli("train --threads -1 --device cpu", dir), "--threads");
  expect_one_line_error(run_cli("train --device gpu", dir), "--device must be");
  expect_one_line_error(run_cli("train --dim banana", dir), "--dim");
  expect_one_line_error(run_cli("train --no-such-flag", dir), "no-such-flag");
  expect_one_line_error(run_cli("train --no-files --out '" + dir.file("run") + "'", dir), "--out excludes --no-files");
  expect_one_line_error(run_cli("train --pairs '' --no-files", dir), "--pairs: the list is empty");
  expect_one_line_error(run_cli("train --neighbors , --no-files", dir), "--neighbors: the list is empty");
  expect_one_line_error(run_cli("frobnicate", dir), "frobnicate");
}

// Numbers outside what an option means are refused as such, not wrapped or overflowed in a conversion.
TEST(Cli, ExtremeNumbersAreRefusedNotWrapped) {
  TempDir dir;
  const CliResult tiny = run_cli("train --device cpu --val-fraction 1e-30 --no-files", dir);
  expect_one_line_error(tiny, "--val-fraction 1e-30 it needs at least more than 10^15");
  EXPECT_EQ(tiny.err.find("-9223372036854775808"), std::string::npos) << tiny.err;
  expect_one_line_error(run_cli("train --device cpu --seed -1 --no-files", dir), "--seed");
  expect_one_line_error(
      run_cli("experiment freeze-embedding --seeds 1 --steps 5 --seed -1 --out '" + dir.file("exp") + "'", dir),
      "--seed");
  expect_one_line_error(run_cli("verify --against-cpu --device cpu --seed -1", dir), "--seed");
}

// --vocab-size states V for an llm.c token file whose ids alone would imply too large (or too small) a vocabulary.
TEST(Cli, VocabSizeStatesTheRowsOfATokenFile) {
  TempDir dir;
  std::string bin = testing_support::le_bytes(20240801, 4) + testing_support::le_bytes(7, 4) +
                    testing_support::le_bytes(400, 4) + std::string(253 * 4, '\0');
  for (int i = 0; i < 400; ++i) bin += testing_support::le_bytes(i % 40, 4);
  write_file(dir.file("t.bin"), bin);
  const std::string tokens = " --tokens '" + dir.file("t.bin") + "'";
  const CliResult r = run_cli("train --device cpu --steps 2 --no-files --vocab-size 100" + tokens, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("V=100,"), std::string::npos) << r.out;
  expect_one_line_error(run_cli("train --device cpu --steps 2 --no-files --vocab-size 30" + tokens, dir),
                        "token id 30 at position 30 is outside [0, 30)");
  expect_one_line_error(run_cli("train --device cpu --steps 2 --no-files --vocab-size 100", dir), "--tokens");
}

// More OpenBLAS threads than cores only cost memory: under a 4 GB address-space limit, 64 of them once made
// OpenBLAS spin forever allocating buffers. The count is capped at the cores, with a notice.
TEST(Cli, ThreadsAreCappedAtTheCoresAvailable) {
  TempDir dir;
  const CliResult r = run_cli("train --device cpu --threads 64 --steps 20 --log-every 10 --no-files", dir,
                              "ulimit -v 4000000 && exec timeout 60 ");
  EXPECT_EQ(r.exit_code, 0) << (r.exit_code == 124 ? "still running after 60 s" : r.err);
  if (usable_cpu_threads(64) < 64)
    EXPECT_NE(r.err.find("note: --threads 64 capped at the " + std::to_string(usable_cpu_threads(64)) + " cores"),
              std::string::npos)
        << r.err;
}

TEST(Cli, MissingGpuIsAClearErrorOrAnUnknownDevice) {
  TempDir dir;
  const GpuInventory gpus = query_gpus();
  const CliResult r = run_cli("train --device 7 --steps 1", dir);
  expect_one_line_error(r, gpus.count == 0 ? "no CUDA GPU is available" : "CUDA device(s) present");
  if (gpus.count == 0) {
    expect_one_line_error(run_cli("train --device 0 --steps 1", dir), "no CUDA GPU is available");
    expect_one_line_error(run_cli("verify --against-cpu", dir), "needs a CUDA GPU");
  }
  expect_one_line_error(run_cli("verify --device cpu-reference --against-cpu", dir), "judge itself");
  expect_one_line_error(run_cli("verify --device cpu --against-cpu --tf32", dir), "--tf32");
  expect_one_line_error(run_cli("verify", dir), "--against-cpu");
}

TEST(Cli, VerifyChecksTheFastCpuPathAgainstTheReference) {
  TempDir dir;
  const CliResult r = run_cli("verify --against-cpu --device cpu --shapes toy --steps 2", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("on cpu"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dW"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verify: PASS"), std::string::npos) << r.out;
}

TEST(Cli, AutoDeviceFallsBackToTheCpuWithANotice) {
  if (query_gpus().count > 0) GTEST_SKIP() << "a GPU is present: auto picks it";
  TempDir dir;
  const CliResult r = run_cli("train --steps 20 --log-every 10 --no-files", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Here the reason is "no CUDA driver installed (runtime N.N)"; on a machine with an old driver it names both
  // versions.
  const std::string why = query_gpus().why_none;
  EXPECT_NE(why.find("driver"), std::string::npos) << why;
  EXPECT_EQ(r.err, "note: no CUDA GPU found (" + why + "); running on the CPU\n");
  EXPECT_NE(r.out.find("device cpu"), std::string::npos) << r.out;
}

TEST(Cli, TrainWritesSummaryAndMetrics) {
  TempDir dir;
  const std::string out = dir.file("run");
  const CliResult r = run_cli("train --device cpu --steps 100 --log-every 25 --seed 7 --out '" + out + "'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json summary = nlohmann::json::parse(testing_support::slurp(out + "/summary.json"));
  for (const char* key : {"device", "vocab_size", "dim", "ctx", "batch", "steps", "seed", "final_train_loss",
                          "val_loss", "seconds", "steps_per_second"})
    EXPECT_TRUE(summary.contains(key)) << key;
  EXPECT_EQ(summary["device"], "cpu");
  EXPECT_EQ(summary["vocab_size"], 21);
  EXPECT_EQ(summary["seed"], 7);
  EXPECT_EQ(summary["steps"], 100);
  std::istringstream lines(testing_support::slurp(out + "/metrics.jsonl"));
  std::vector<std::int64_t> steps;
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json j = nlohmann::json::parse(line);
    steps.push_back(j["step"]);
    EXPECT_TRUE(j.contains("train_loss"));
    EXPECT_TRUE(j.contains("val_loss"));
  }
  EXPECT_EQ(steps, (std::vector<std::int64_t>{0, 25, 50, 75, 100}));
}

TEST(Cli, UnwritableOutputFailsBeforeTrainingAndLeavesNoFiles) {
  TempDir dir;
  write_file(dir.file("blocker"), "a file where a directory should go");
  const CliResult r = run_cli("train --device cpu --steps 5 --out '" + dir.file("blocker") + "/run'", dir);
  expect_one_line_error(r, "cannot create directory");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(std::filesystem::exists(dir.file("blocker") + "/run"));
}

TEST(Cli, DivergingRunStopsWithANamedStep) {
  TempDir dir;
  const CliResult r = run_cli("train --device cpu --optimizer sgd --lr 1e30 --steps 50 --log-every 10 --out '" +
                                  dir.file("run") + "'",
                              dir);
  expect_one_line_error(r, "training diverged at step ");
  EXPECT_TRUE(testing_support::contains(r.err, "at lr 1e+30")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("run") + "/summary.json"));
}

}  // namespace
}  // namespace embgeo

namespace embgeo {
namespace {

// EMBGEO_REQUIRE_GPU=1 (tools/gpu-check.sh) turns a GPU test's skip into a failure, and the binary says how
// many GPU tests ran: a GPU run whose runtime cannot see the device must not pass with none run.
TEST(GpuTestGate, RequireGpuTurnsTheSkipIntoAFailure) {
  testing_support::TempDir dir;
  const std::string log = dir.file("gpu-test.log");
  const std::string command = "EMBGEO_REQUIRE_GPU=1 /proc/" + std::to_string(::getpid()) +
                              "/exe --gtest_filter=CudaBackend.FrozenEmbeddingMatchesCpuAndStaysBitIdentical >'" +
                              log + "' 2>&1";
  const int status = std::system(command.c_str());
  const std::string out = testing_support::slurp(log);
  if (query_gpus().count == 0) {
    EXPECT_NE(status, 0) << out;
    EXPECT_NE(out.find("EMBGEO_REQUIRE_GPU=1 but there is no CUDA GPU"), std::string::npos) << out;
    EXPECT_NE(out.find("GPU tests run: 0"), std::string::npos) << out;
  } else {
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("GPU tests run: 1"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace embgeo

// The CLI on CUDA device 0 end to end: train, verify --against-cpu, an experiment, inspect's GPU search and
// bench. On a real GPU (embgeo-cuda) they run when one is present; on the emulated device (embgeo-cuda-emu)
// they run in CI, and bench must say its times are the emulation's, not a GPU's.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "embgeo/params.hpp"
#include "formats/formats.hpp"
#include "gpu_test_util.hpp"
#include "test_support.hpp"

namespace embgeo {
namespace {

using testing_support::CliResult;
using testing_support::contains;
using testing_support::expect_one_line_error;
using testing_support::run_cli;
using testing_support::slurp;
using testing_support::TempDir;

TEST(CudaCli, TrainOnDeviceZeroLearnsAndWritesItsRun) {
  REQUIRE_GPU();
  const TempDir dir;
  const std::string out = dir.file("run");
  const CliResult r = run_cli("train --device 0 --steps 300 --log-every 100 --out '" + out + "'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "device cuda:0")) << r.out;
  const nlohmann::json summary = nlohmann::json::parse(slurp(out + "/summary.json"));
  EXPECT_TRUE(contains(summary["device"].get<std::string>(), "cuda:0")) << summary["device"];
  // The toy's initial loss is ≈ ln V = 3.04; 300 steps of Adam bring it well below 2 on every backend.
  EXPECT_LT(summary["val_loss"].get<double>(), summary["initial_val_loss"].get<double>() - 1.0);
  EXPECT_TRUE(std::filesystem::exists(out + "/embedding_after.safetensors"));
}

TEST(CudaCli, VerifyAgainstTheCpuPassesEveryOpAtToyAndOddShapes) {
  REQUIRE_GPU();
  const TempDir dir;
  const CliResult r = run_cli("verify --against-cpu --device 0 --shapes toy,odd", dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "verify: PASS")) << r.out;
  EXPECT_FALSE(contains(r.out, "FAIL")) << r.out;
  for (const char* shape : {"toy", "V=1", "D=1", "C=1", "B=1", "D=257"}) EXPECT_TRUE(contains(r.out, shape)) << shape;
}

TEST(CudaCli, ExperimentRunsOnDeviceZero) {
  REQUIRE_GPU();
  const TempDir dir;
  const CliResult r = run_cli("experiment freeze-embedding --device 0 --seeds 1 --steps 200 --out '" +
                                  dir.file("exp") + "'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir.file("exp/experiments.json")));
}

TEST(CudaCli, InspectNeighboursOnDeviceZeroMatchTheCpu) {
  REQUIRE_GPU();
  const TempDir dir;
  const std::string table = dir.file("table.npy");
  formats::write_npy(table, {300, 24, false, init_params({300, 24, 1, 1}, 4).embedding});
  const CliResult gpu = run_cli("inspect '" + table + "' --neighbors '#7' -k 5 --device 0 --json", dir);
  const CliResult cpu = run_cli("inspect '" + table + "' --neighbors '#7' -k 5 --device cpu --json", dir);
  ASSERT_EQ(gpu.exit_code, 0) << gpu.err;
  ASSERT_EQ(cpu.exit_code, 0) << cpu.err;
  const auto on_gpu = nlohmann::json::parse(gpu.out)["neighbors"][0], on_cpu = nlohmann::json::parse(cpu.out)["neighbors"][0];
  EXPECT_TRUE(contains(on_gpu["device"].get<std::string>(), "cuda:0")) << on_gpu["device"];
  ASSERT_EQ(on_gpu["neighbors"].size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(on_gpu["neighbors"][i]["id"], on_cpu["neighbors"][i]["id"]) << i;
    EXPECT_NEAR(on_gpu["neighbors"][i]["cosine"].get<double>(), on_cpu["neighbors"][i]["cosine"].get<double>(), 1e-5);
  }
}

TEST(CudaCli, BenchKernelsRunsAndSaysWhenItsTimesAreEmulated) {
  REQUIRE_GPU();
  const TempDir dir;
  const CliResult r = run_cli("bench kernels --device 0 --repeats 2 --out '" + dir.file("bench") + "'", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(slurp(dir.file("bench/bench.json")));
  const bool emulated = query_gpus().emulated;
  EXPECT_EQ(j["emulated_device"].get<bool>(), emulated);
  EXPECT_EQ(contains(r.out, "is the emulated device"), emulated) << r.out;
  EXPECT_TRUE(contains(r.out, "gather_pool_forward")) << r.out;
}

// A one-hot route whose predicted time (FLOPs over the measured GEMM rate) overruns --route-budget is
// skipped and says so; within the budget it is checked and timed.
TEST(CudaCli, BenchSkipsAOneHotRoutePredictedToOverrunItsBudget) {
  REQUIRE_GPU();
  const TempDir dir;
  const std::string args = "bench lookup-vs-onehot --device 0 --vocab 2000 --tokens 256 --dim 64 --repeats 2 --out '" +
                           dir.file("bench") + "'";
  const CliResult skipped = run_cli(args + " --route-budget 1e-9", dir);
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_TRUE(contains(skipped.out, "skipped: predicted")) << skipped.out;
  const auto row = nlohmann::json::parse(slurp(dir.file("bench/bench.json")))["lookup_vs_onehot"]["rows"][0];
  EXPECT_TRUE(row["onehot_fp32"]["over_budget"].get<bool>());
  EXPECT_GT(row["onehot_fp32"]["predicted_seconds"].get<double>(), 0);
  const CliResult timed = run_cli(args, dir);
  ASSERT_EQ(timed.exit_code, 0) << timed.err;
  EXPECT_FALSE(contains(timed.out, "skipped")) << timed.out;
  const auto timed_row = nlohmann::json::parse(slurp(dir.file("bench/bench.json")))["lookup_vs_onehot"]["rows"][0];
  EXPECT_FALSE(timed_row["onehot_fp32"]["over_budget"].get<bool>());
  EXPECT_EQ(timed_row["onehot_fp32"]["repeats"].get<int>(), 2);
  expect_one_line_error(run_cli(args + " --route-budget 0", dir), "--route-budget must be in");
}

}  // namespace
}  // namespace embgeo

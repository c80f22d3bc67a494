// Data-parallel training through the CUDA backend's NCCL path (collectives inside the captured step). On the
// emulated device NCCL runs on MPI, so CI trains two ranks; on a real machine the job has one rank per GPU
// (with a single GPU, `mpirun -np 1` against the single-process run checks the NCCL wiring).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "gpu_test_util.hpp"
#include "ranks_runner.hpp"
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

// Two ranks on the emulated device; on GPUs one rank per GPU, at most two.
int rank_count() {
  const GpuInventory gpus = query_gpus();
  return gpus.emulated ? 2 : std::min(gpus.count, 2);
}

class CudaRanks : public ::testing::TestWithParam<const char*> {};

TEST_P(CudaRanks, NcclRanksEqualTheSingleProcessRun) {
  REQUIRE_GPU();
  REQUIRE_MPIRUN();
  const std::string exchange = GetParam();
  const TempDir dir;
  const std::string common = "train --steps 40 --log-every 20 --optimizer adam --out ";
  const CliResult one = run_cli(common + "'" + dir.file("one") + "' --device 0", dir);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const int ranks = rank_count();
  const CliResult many = run_ranks(ranks, common + "'" + dir.file("many") + "' --exchange " + exchange, dir);
  ASSERT_EQ(many.exit_code, 0) << many.err;
  EXPECT_TRUE(contains(many.out, "device cuda:")) << many.out;

  const std::vector<float> want = final_embedding(dir.file("one")), got = final_embedding(dir.file("many"));
  const Comparison cmp = compare_tensors("E after 40 steps", got, want, scaled_tolerance(want, 1e-4, 1e-3));
  EXPECT_TRUE(cmp.pass()) << cmp.mismatches << " mismatches over " << ranks << " ranks, e.g. "
                          << (cmp.first_mismatches.empty() ? "" : cmp.first_mismatches[0]);
  const nlohmann::json summary = nlohmann::json::parse(slurp(dir.file("many") + "/summary.json"));
  EXPECT_EQ(summary["ranks"], ranks);
  EXPECT_EQ(summary["exchange"], exchange);
  EXPECT_TRUE(summary["exchange_seconds"].is_null()) << "the GPU does not time its collectives apart";
}

INSTANTIATE_TEST_SUITE_P(Exchanges, CudaRanks, ::testing::Values("dense", "sparse"));

TEST(CudaRanksRuns, DeterministicRunsAreBitIdentical) {
  REQUIRE_GPU();
  REQUIRE_MPIRUN();
  const TempDir dir;
  testing_support::expect_repeatable_rank_runs(rank_count(), "train --deterministic --steps 30 --log-every 15", dir);
}

TEST(CudaRanksRuns, LazyAdamOverRanksEqualsTheSingleProcessRun) {
  REQUIRE_GPU();
  REQUIRE_MPIRUN();
  const TempDir dir;
  const std::string common = "train --steps 40 --log-every 20 --optimizer lazy-adam --out ";
  ASSERT_EQ(run_cli(common + "'" + dir.file("one") + "' --device 0", dir).exit_code, 0);
  const CliResult many = run_ranks(rank_count(), common + "'" + dir.file("many") + "'", dir);
  ASSERT_EQ(many.exit_code, 0) << many.err;
  EXPECT_TRUE(contains(many.out, "exchange sparse")) << many.out;
  const std::vector<float> want = final_embedding(dir.file("one"));
  const Comparison cmp =
      compare_tensors("E", final_embedding(dir.file("many")), want, scaled_tolerance(want, 1e-4, 1e-3));
  EXPECT_TRUE(cmp.pass()) << cmp.mismatches << " mismatches";
}

TEST(CudaRanksRuns, AKilledRankEndsTheJobWithinSeconds) {
  REQUIRE_GPU();
  REQUIRE_MPIRUN();
  if (rank_count() < 2) GTEST_SKIP() << "one GPU: no second rank to kill";
  const TempDir dir;
  testing_support::expect_killed_rank_ends_job("train --steps 100000000 --log-every 200 --no-files", dir);
}

}  // namespace
}  // namespace embgeo

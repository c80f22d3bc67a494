// Checkpoints and resume: a run stopped between any two steps and resumed from its checkpoint ends
// bit-identical to the run that was never stopped (parameters, moments, logged losses, geometry), for every
// optimizer; a signal stops the CLI cleanly with a checkpoint; bad checkpoints and changed corpora are refused.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <sstream>
#include <thread>

#include "cli_runner.hpp"
#include "resume_check.hpp"
#include "embgeo/error.hpp"
#include "test_support.hpp"
#include "train/checkpoint.hpp"
#include "train/interrupt.hpp"
#include "train/run.hpp"

namespace embgeo {
namespace {

using testing_support::CliResult;
using testing_support::contains;
using testing_support::error_of;
using testing_support::expect_resume_is_bit_identical;
using testing_support::expect_one_line_error;
using testing_support::run_cli;
using testing_support::slurp;
using testing_support::TempDir;

RunOptions toy_options(const std::string& optimizer, std::int64_t steps) {
  RunOptions o = testing_support::quick_cpu_run(steps, 40);
  o.optimizer = optimizer;
  o.checkpoint_every = 25;
  return o;
}

void expect_same_log(const std::vector<LogPoint>& a, const std::vector<LogPoint>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].step, b[i].step);
    EXPECT_EQ(a[i].train_loss, b[i].train_loss) << "step " << a[i].step;
    EXPECT_EQ(a[i].val_loss, b[i].val_loss) << "step " << a[i].step;
  }
}

// The trainer stopped after step 37 (between two checkpoints) and resumed from its checkpoint file equals the
// uninterrupted run, for every optimizer, with a trained and a frozen embedding.
TEST(Checkpoint, StoppedAndResumedRunIsBitIdenticalForEveryOptimizer) {
  const TempDir scratch;
  for (const char* optimizer : {"adam", "lazy-adam", "sgd"})
    for (const bool frozen : {false, true}) {
      SCOPED_TRACE(std::string(optimizer) + (frozen ? " frozen" : ""));
      RunOptions o = toy_options(optimizer, 100);
      o.freeze_embedding = frozen;
      expect_resume_is_bit_identical(
          o, [](const BackendConfig& c) { return make_cpu_backend(c, CpuPath::kFast); }, scratch.file("run.ckpt"), 37);
    }
}

// Through run_training: the checkpoint of a shorter run (written at step 75 of 90) resumed to the longer run's
// length gives the longer run, geometry trajectory included.
TEST(Checkpoint, ResumedRunKeepsItsGeometryAndEqualsTheLongerRun) {
  const TempDir scratch;
  std::ostringstream console;
  RunOptions longer = toy_options("adam", 160);
  longer.checkpoint_path = scratch.file("longer.ckpt");
  const RunOutcome whole = run_training(longer, console);

  RunOptions shorter = toy_options("adam", 90);
  shorter.checkpoint_path = scratch.file("shorter.ckpt");
  run_training(shorter, console);
  const Checkpoint checkpoint = read_checkpoint(shorter.checkpoint_path);
  ASSERT_EQ(checkpoint.resume.progress.step, 75);
  RunOptions resumed_options = checkpoint.options;
  resumed_options.device = "cpu";
  resumed_options.quiet = true;
  resumed_options.steps = 160;
  resumed_options.checkpoint_path = scratch.file("resumed.ckpt");
  const RunOutcome resumed = run_training(resumed_options, console, {}, &checkpoint);

  EXPECT_EQ(resumed.result.final.embedding, whole.result.final.embedding);
  expect_same_log(resumed.result.log, whole.result.log);
  ASSERT_EQ(resumed.geometry.points.size(), whole.geometry.points.size());
  for (std::size_t i = 0; i < whole.geometry.points.size(); ++i) {
    EXPECT_EQ(resumed.geometry.points[i].drawn_rows, whole.geometry.points[i].drawn_rows) << i;
    EXPECT_EQ(resumed.geometry.points[i].geometry_score, whole.geometry.points[i].geometry_score) << i;
    EXPECT_EQ(resumed.geometry.points[i].pair_cosines, whole.geometry.points[i].pair_cosines) << i;
  }
  EXPECT_EQ(resumed.geometry.trajectory_basis_coords, whole.geometry.trajectory_basis_coords);

  // The same checkpoint against another corpus is refused.
  RunOptions other = resumed_options;
  other.val_fraction = 0.2;
  EXPECT_TRUE(contains(error_of([&] { run_training(other, console, {}, &checkpoint); }), "not the one the checkpoint"));
}

// --lr 1e6 sends the loss far above its start within a few steps: the run stops at the first checkpoint or
// log point that sees it, naming the step and the learning rate, and the checkpoint on disk is one from before.
TEST(Checkpoint, ADivergingRunStopsAndKeepsTheLastGoodCheckpoint) {
  const TempDir scratch;
  std::ostringstream console;
  RunOptions o = toy_options("adam", 100);
  o.lr = 1e6f;
  o.checkpoint_every = 1;
  o.checkpoint_path = scratch.file("run.ckpt");
  const std::string message = error_of([&] { run_training(o, console); });
  ASSERT_TRUE(contains(message, "training diverged at step ")) << message;
  EXPECT_TRUE(contains(message, "at lr 1e+06")) << message;
  const std::int64_t diverged = std::stoll(message.substr(message.find("at step ") + 8));
  const Checkpoint kept = read_checkpoint(o.checkpoint_path);
  EXPECT_LT(kept.resume.progress.step, diverged);
  EXPECT_GE(kept.resume.progress.step, 1);
}

TEST(Checkpoint, ReadingAnythingElseIsAOneLineError) {
  const TempDir scratch;
  EXPECT_TRUE(contains(error_of([&] { read_checkpoint(scratch.file("missing.ckpt")); }), "missing.ckpt"));
  const CliResult exported = run_cli("train --device cpu --steps 5 --out '" + scratch.file("run") + "'", scratch);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_TRUE(contains(error_of([&] { read_checkpoint(scratch.file("run/embedding_after.safetensors")); }),
                       "not an embgeo-cuda checkpoint"));
}

TEST(Checkpoint, InterruptFlagCatchesOneSignalAndRestoresTheHandler) {
  struct sigaction before {};
  sigaction(SIGTERM, nullptr, &before);
  {
    const InterruptFlag flag;
    EXPECT_FALSE(flag.raised());
    std::raise(SIGTERM);
    EXPECT_TRUE(flag.raised());
    EXPECT_EQ(flag.signal(), SIGTERM);
  }
  struct sigaction after {};
  sigaction(SIGTERM, nullptr, &after);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}

TEST(CheckpointCli, ContradictoryResumeAndCheckpointFlagsAreRefused) {
  const TempDir scratch;
  expect_one_line_error(run_cli("train --device cpu --steps 5 --checkpoint-every 2 --no-files", scratch), "drop --no-files");
  ASSERT_EQ(run_cli("train --device cpu --steps 20 --checkpoint-every 10 --out '" + scratch.file("run") + "'", scratch).exit_code, 0);
  const std::string checkpoint = "'" + scratch.file("run/checkpoint.safetensors") + "'";
  expect_one_line_error(run_cli("train --resume " + checkpoint + " --dim 8", scratch), "--dim cannot change");
  expect_one_line_error(run_cli("train --resume " + checkpoint, scratch), "give a larger --steps");
  // A new run into a used directory would leave the old run's files among its own.
  expect_one_line_error(run_cli("train --device cpu --steps 5 --out '" + scratch.file("run") + "'", scratch),
                        "already holds a run");
}

// A real SIGINT in the middle of a long CLI run: one error line saying how to resume, a checkpoint and no
// temporary file left; the resumed run's outputs equal those of a run that was never interrupted.
TEST(CheckpointCli, SigintLeavesAResumableCheckpointAndResumingIsBitIdentical) {
  const TempDir scratch;
  const std::string out = scratch.file("interrupted"), err = scratch.file("interrupted.err");
  const std::string args = " train --device cpu --steps 100000000 --log-every 100000 --checkpoint-every 5000";
  const std::string command = "'" + testing_support::cli_path() + "'" + args + " --out '" + out + "' >/dev/null 2>'" +
                              err + "' & pid=$!; while [ ! -e '" + out + "/checkpoint.safetensors' ]; do sleep 0.05; done;" +
                              " kill -INT $pid; wait $pid";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string message = slurp(err);
  EXPECT_NE(message.find("training interrupted after step "), std::string::npos) << message;
  EXPECT_NE(message.find("resume with `embgeo-cuda train --resume " + out + "/checkpoint.safetensors`"), std::string::npos)
      << message;
  for (const auto& entry : std::filesystem::directory_iterator(out))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();

  const std::int64_t stopped = std::stoll(message.substr(message.find("after step ") + 11));
  const std::string steps = std::to_string(stopped + 3000);
  const CliResult resumed = run_cli("train --resume '" + out + "/checkpoint.safetensors' --steps " + steps, scratch);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const CliResult whole = run_cli("train --device cpu --steps " + steps + " --log-every 100000 --checkpoint-every 5000 --out '" +
                                      scratch.file("whole") + "'",
                                  scratch);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_EQ(slurp(out + "/embedding_after.safetensors"), slurp(scratch.file("whole/embedding_after.safetensors")));
  EXPECT_EQ(slurp(out + "/vectors.vec"), slurp(scratch.file("whole/vectors.vec")));
}

}  // namespace
}  // namespace embgeo

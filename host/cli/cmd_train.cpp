// The `train` subcommand: one training run with the shared run options, printed geometry tables, and the run
// directory (default runs/train-<UTC time>) unless --no-files; checkpoints in it, and --resume to continue one.
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/train_options.hpp"
#include "embgeo/error.hpp"
#include "ranks/mpi_ranks.hpp"
#include "train/checkpoint.hpp"
#include "train/run.hpp"
#include "util/atomic_file.hpp"

namespace embgeo::cli {
namespace {

std::string default_run_dir() {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::gmtime(&now));
  return std::string("runs/train-") + stamp;
}

// What a resumed run may choose for itself; every other option is the checkpoint's.
const std::set<std::string> kResumerOptions = {"--resume", "--device", "--threads", "--steps", "--checkpoint-every",
                                               "--out", "--no-files", "--exchange"};

// The checkpoint's run options with the resumer's device, threads and (when given) steps and checkpoint interval.
RunOptions resumed_options(const CLI::App& cmd, const Checkpoint& checkpoint, const RunOptions& given) {
  for (const CLI::Option* option : cmd.get_options())
    if (option->count() > 0 && kResumerOptions.count(option->get_name()) == 0)
      fail("--resume continues the checkpoint's run with its own settings; ", option->get_name(),
           " cannot change them (allowed: --device, --threads, --steps, --checkpoint-every, --out, --no-files, --exchange)");
  RunOptions o = checkpoint.options;
  o.device = given.device;
  o.threads = given.threads;
  o.exchange = given.exchange;
  if (cmd.count("--steps") > 0) o.steps = given.steps;
  if (cmd.count("--checkpoint-every") > 0) o.checkpoint_every = given.checkpoint_every;
  if (o.steps <= checkpoint.resume.progress.step)
    fail("--resume: the checkpoint is at step ", checkpoint.resume.progress.step, " of ", o.steps,
         "; give a larger --steps to train further");
  return o;
}

constexpr const char* kCheckpointName = "checkpoint.safetensors";

}  // namespace

void add_train_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<TrainCliOptions>();
  auto resume_path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("train", "train the next-token model (built-in toy corpus by default)");
  add_run_options(*cmd, *options);
  CLI::Option* out = cmd->add_option(
      "--out", options->out_dir, "run directory (default: runs/train-<UTC time>, or the checkpoint's directory with --resume)");
  cmd->add_flag("--no-files", options->no_files, "print the tables only; write no run directory")->excludes(out);
  cmd->add_option("--checkpoint-every", options->run.checkpoint_every,
                  "steps between checkpoints (<out>/checkpoint.safetensors; 0: only when interrupted)")
      ->capture_default_str();
  cmd->add_option("--resume", *resume_path, "continue the run of a checkpoint, bit-identically");
  cmd->add_option("--exchange", options->run.exchange,
                  "under mpirun: the embedding gradient's exchange, dense (all-reduce of dE), sparse (all-gather of "
                  "the batch's ids and pooled gradients) or auto (fewer bytes)")
      ->capture_default_str();
  cmd->callback([&action, options, resume_path, cmd] {
    action = [options, resume_path, cmd] {
      finish_run_options(*options);
      std::optional<Checkpoint> checkpoint;
      if (!resume_path->empty()) {
        checkpoint = read_checkpoint(*resume_path);
        options->run = resumed_options(*cmd, *checkpoint, options->run);
        if (options->out_dir.empty()) options->out_dir = std::filesystem::path(*resume_path).parent_path().string();
        if (options->out_dir.empty()) options->out_dir = ".";
      }
      const std::string dir = options->out_dir.empty() ? default_run_dir() : options->out_dir;
      // Under mpirun every rank trains and rank 0 alone prints and writes (the directory, outputs, checkpoints).
      options->run.ranks = launched_ranks();
      const bool speaks = options->run.ranks == nullptr || options->run.ranks->rank() == 0;
      const bool writes = speaks && !options->no_files;
      if (!speaks) options->run.quiet = true;
      std::ostringstream silenced;
      std::ostream& console = speaks ? std::cout : silenced;
      // One run a directory: a new run in a used one would leave the old run's files among its own.
      if (!checkpoint && writes)
        for (const char* marker : {"summary.json", kCheckpointName})
          if (std::filesystem::exists(std::filesystem::path(dir) / marker))
            fail("--out ", dir, " already holds a run (", marker, "); choose another directory",
                 std::string(marker) == kCheckpointName ? " or continue it with --resume" : "");
      if (!options->no_files) options->run.checkpoint_path = dir + "/" + kCheckpointName;
      const auto train_and_report = [&] {
        const RunOutcome run = run_training(options->run, console, {}, checkpoint ? &*checkpoint : nullptr);
        print_geometry_tables(run, console);
        if (writes) write_run_outputs(options->run, run, dir, console);
      };
      if (!writes)
        train_and_report();
      else
        with_output_directory(dir, train_and_report);
      return 0;
    };
  });
}

}  // namespace embgeo::cli

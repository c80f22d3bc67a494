// The `train` subcommand: one training run with the shared run options, printed geometry tables, and the run
// directory (default runs/train-<UTC time>) unless --no-files.
#include <ctime>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/train_options.hpp"
#include "embgeo/error.hpp"
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

}  // namespace

void add_train_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<TrainCliOptions>();
  CLI::App* cmd = app.add_subcommand("train", "train the next-token model (built-in toy corpus by default)");
  add_run_options(*cmd, *options);
  CLI::Option* out = cmd->add_option("--out", options->out_dir, "run directory (default: runs/train-<UTC time>)");
  cmd->add_flag("--no-files", options->no_files, "print the tables only; write no run directory")->excludes(out);
  cmd->callback([&action, options] {
    action = [options] {
      finish_run_options(*options);
      const std::string dir = options->out_dir.empty() ? default_run_dir() : options->out_dir;
      const auto train_and_report = [&] {
        const RunOutcome run = run_training(options->run, std::cout);
        print_geometry_tables(run, std::cout);
        if (!options->no_files) write_run_outputs(options->run, run, dir, std::cout);
      };
      if (options->no_files)
        train_and_report();
      else
        with_output_directory(dir, train_and_report);
      return 0;
    };
  });
}

}  // namespace embgeo::cli

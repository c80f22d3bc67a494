// The `experiment` subcommand: the shared run options plus --seeds/--dims, then runs the named experiments
// against a baseline and writes experiments.json/.md into the output directory.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/train_options.hpp"
#include "embgeo/error.hpp"
#include "experiments/experiments.hpp"
#include "util/atomic_file.hpp"

namespace embgeo::cli {

void add_experiment_command(CLI::App& app, Action& action) {
  struct Options {
    TrainCliOptions train;
    std::string name;
    int seeds = 3;
    std::vector<int> dims;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "experiment", "train a baseline and variants side by side: freeze-embedding, permute-ids, tiny-dim, "
                    "tokenizer-swap (each breaks something), objectives (next vs cbow vs skipgram), word-order "
                    "(position tables and concat against shuffled windows), or all");
  cmd->add_option("name", options->name, "experiment name or all")->required();
  cmd->add_option("--seeds", options->seeds, "seeds per arm")->capture_default_str();
  cmd->add_option("--dims", options->dims, "tiny-dim sweep, e.g. 1,2,4,8,16,32,64")->delimiter(',');
  add_run_options(*cmd, options->train);
  cmd->add_option("--out", options->train.out_dir, "directory for experiments.json/.md (default runs/experiments)");
  cmd->callback([&action, options] {
    action = [options] {
      const std::vector<std::string> names = experiment_names(options->name);
      finish_run_options(options->train);
      ExperimentOptions o;
      o.base = options->train.run;
      o.seeds = options->seeds;
      o.dims = options->dims;
      const std::string dir = options->train.out_dir.empty() ? "runs/experiments" : options->train.out_dir;
      with_output_directory(dir, [&] {
        const std::vector<ExperimentResult> results = run_experiments(names, o, std::cout);
        print_experiment_results(results, std::cout);
        write_experiment_outputs(results, o, dir, std::cout);
      });
      return 0;
    };
  });
}

}  // namespace embgeo::cli

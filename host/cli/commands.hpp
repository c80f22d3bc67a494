#pragma once
// Each subcommand registers its options on the CLI and, when chosen, hands main() the work to run, so all
// parse errors surface before any work starts and main() owns the one error-to-exit-code policy.
#include <CLI/CLI.hpp>
#include <functional>

namespace embgeo::cli {

using Action = std::function<int()>;  // returns the exit code

void add_train_command(CLI::App& app, Action& action);
void add_verify_command(CLI::App& app, Action& action);
void add_experiment_command(CLI::App& app, Action& action);
void add_inspect_command(CLI::App& app, Action& action);  // and `params`
void add_bench_command(CLI::App& app, Action& action);

}  // namespace embgeo::cli

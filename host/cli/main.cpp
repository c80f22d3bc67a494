// embgeo-cuda: watch token embeddings go from random noise to structured geometry.
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "embgeo/error.hpp"
#include "ranks/mpi_ranks.hpp"

namespace {

// One line on stderr in a single write: the ranks of a job print at the same moment, and lines written in
// pieces would interleave.
void print_error(const std::string& line) {
  std::cerr << line + "\n" << std::flush;
}

// The command's exit code; errors as one line (prefixed with the rank when there are several).
int run_action(const embgeo::cli::Action& action, const std::string& rank_prefix) {
  try {
    return action();
  } catch (const embgeo::Error& e) {
    print_error("error: " + rank_prefix + e.what());
  } catch (const std::bad_alloc&) {
    // Where the cause is known (the model state, the corpus counts) a named Error is thrown instead; here
    // any advice would be a guess.
    print_error("error: " + rank_prefix + "out of host memory");
  } catch (const std::exception& e) {
    print_error("error: " + rank_prefix + "internal: " + e.what());
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const embgeo::MpiSession mpi;  // joins the job's ranks when mpirun started this process
  const embgeo::RankGroup* ranks = embgeo::launched_ranks();
  const bool several = ranks != nullptr && ranks->size() > 1;
  CLI::App app{"embgeo-cuda: train a small next-token model on the GPU (or CPU) and watch its embedding table "
               "take shape"};
  app.require_subcommand(1);
  embgeo::cli::Action action;
  embgeo::cli::add_train_command(app, action);
  embgeo::cli::add_verify_command(app, action);
  embgeo::cli::add_experiment_command(app, action);
  embgeo::cli::add_inspect_command(app, action);
  embgeo::cli::add_bench_command(app, action);
  // CLI11 would only say "a subcommand is required" for a mistyped command; name it instead.
  const auto named = [&](const CLI::App* sub) { return sub->get_name() == argv[1]; };
  if (argc > 1 && argv[1][0] != '-' && app.get_subcommands(named).empty()) {
    std::cerr << "error: unknown command '" << argv[1] << "' (see embgeo-cuda --help)\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << " (see embgeo-cuda --help)\n";
    return 2;
  }
  if (several && app.get_subcommands().front()->get_name() != "train") {
    print_error(std::string("error: only `train` runs on several ranks; start ") + argv[1] + " without mpirun");
    embgeo::abort_all_ranks(2);
  }
  const int code = run_action(action, several ? "rank " + std::to_string(ranks->rank()) + ": " : "");
  // A failed rank ends the job: the others may be waiting for it in a collective.
  if (code != 0 && several) embgeo::abort_all_ranks(code);
  return code;
}

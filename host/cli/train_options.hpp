#pragma once
// The training flags shared by `train` and `experiment`.
#include <CLI/CLI.hpp>
#include <string>

#include "train/run.hpp"

namespace embgeo::cli {

struct TrainCliOptions {
  RunOptions run;
  std::string pairs;      // "a:b,c:d"
  std::string neighbors;  // "a,b,c"
  std::string out_dir;
  bool no_files = false;
};

void add_run_options(CLI::App& cmd, TrainCliOptions& options);

// Turns the string flags into RunOptions fields; one-line Error on a malformed --pairs.
void finish_run_options(TrainCliOptions& options);

}  // namespace embgeo::cli

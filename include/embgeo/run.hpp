#pragma once
// One complete training run as the CLI describes it: corpus, backend, loop, console lines and output files.
// `train` is this plus argument parsing; experiments call it once per variant.
#include <cstdint>
#include <iosfwd>
#include <string>

#include "embgeo/corpus.hpp"
#include "embgeo/trainer.hpp"

namespace embgeo {

struct RunOptions {
  std::string device = "auto";
  std::string corpus_path;  // empty: the built-in toy corpus
  int dim = 16;
  int ctx = 8;
  int batch = 32;
  std::int64_t steps = 2000;
  float lr = 1e-2f;
  std::string optimizer = "adam";
  std::uint64_t seed = 1337;
  int log_every = 200;
  double val_fraction = 0.1;
  bool freeze_embedding = false;
  std::string out_dir;  // empty: write no files
};

struct RunOutcome {
  Corpus corpus;
  ModelShape shape;
  std::string device;  // backend name
  TrainResult result;
};

// Validates everything before any work starts (sizes, corpus, device) so bad input fails in one line.
Corpus load_corpus_for(const RunOptions& options);
RunOutcome run_training(const RunOptions& options, std::ostream& console);

}  // namespace embgeo

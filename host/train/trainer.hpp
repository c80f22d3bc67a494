#pragma once
// The training loop, shared by every backend.
#include <cstdint>
#include <functional>

#include "data/corpus.hpp"
#include "embgeo/backend.hpp"

namespace embgeo {

struct TrainConfig {
  std::int64_t steps = 2000;
  std::uint64_t seed = 1337;
  int log_every = 200;
  std::int64_t max_eval_windows = 65536;  // validation loss uses at most this many held-out windows
};

struct LogPoint {
  std::int64_t step = 0;
  double train_loss = 0;  // mean batch loss over the steps since the previous log point (step 0: first batch)
  double val_loss = 0;
  double elapsed_seconds = 0;
};

struct TrainResult {
  std::vector<LogPoint> log;
  Params initial;
  Params final;
  double train_seconds = 0;    // wall clock of the update steps alone (evaluation excluded)
  double total_seconds = 0;    // wall clock of the whole loop
  double steps_per_second = 0;
};

// Called at step 0 (before any update), every log_every steps, and at the last step. The backend is
// passed so observers can read tensors (the embedding) at that moment.
using LogObserver = std::function<void(const LogPoint&, Backend&)>;

// Called after every update step with its number; must be cheap (it runs on the hot path).
using ProgressObserver = std::function<void(std::int64_t step)>;

// Loads the corpus and `initial` parameters into the backend, then trains.
TrainResult train(Backend& backend, const Corpus& corpus, const Params& initial, const TrainConfig& config,
                  const LogObserver& observer, const ProgressObserver& progress = nullptr);

// Mean loss over `count` consecutive windows from first_window, forward only (parameters untouched).
double evaluate_loss(Backend& backend, std::int64_t first_window, std::int64_t count);

}  // namespace embgeo

#pragma once
// The training loop, shared by every backend.
#include <cstdint>
#include <functional>

#include <string>
#include <utility>
#include <vector>

#include "data/corpus.hpp"
#include "embgeo/backend.hpp"
#include "embgeo/error.hpp"

namespace embgeo {

struct LogPoint {
  std::int64_t step = 0;
  double train_loss = 0;  // mean batch loss over the steps since the previous log point (step 0: first batch)
  double val_loss = 0;
  double elapsed_seconds = 0;
};

// Where a run stands between two steps. With the backend's parameters and optimizer moments, it is all a run
// needs to continue exactly where it stopped: batches are drawn from (seed, step) alone.
struct TrainProgress {
  std::int64_t step = 0;          // updates done
  std::vector<LogPoint> log;      // the log points so far, step 0 first
  Backend::LossSum pending_loss;  // the loss accumulator at the checkpoint: the steps since the last log point
  double update_seconds = 0;      // wall clock of the updates so far
};

// A run to continue: its progress and the state tensors (optimizer_tensors(), then E if frozen) to load.
struct ResumePoint {
  TrainProgress progress;
  Params params;
  std::vector<std::pair<Tensor, std::vector<float>>> moments;
};

// Writes a checkpoint of the run (progress + the backend's state); see train/checkpoint.hpp.
using CheckpointWriter = std::function<void(const TrainProgress&, Backend&)>;

// Thrown by train() when stop_requested() said so between two steps, after the checkpoint was written.
struct TrainingInterrupted : Error {
  TrainingInterrupted(std::int64_t at_step, std::string message) : Error(std::move(message)), step(at_step) {}
  std::int64_t step;
};

struct TrainConfig {
  std::int64_t steps = 2000;
  std::uint64_t seed = 1337;
  int log_every = 200;
  std::int64_t max_eval_windows = 65536;  // validation loss uses at most this many held-out windows
  // Every checkpoint_every steps (0: never), and when stop_requested() turns true, `checkpoint` is called.
  std::int64_t checkpoint_every = 0;
  CheckpointWriter checkpoint;
  std::function<bool()> stop_requested;  // checked after every step; must be cheap
  const ResumePoint* resume = nullptr;   // continue from here instead of from `initial`
};

struct TrainResult {
  std::vector<LogPoint> log;
  Params initial;
  Params final;
  double train_seconds = 0;    // wall clock of the update steps alone (evaluation excluded)
  double total_seconds = 0;    // wall clock of the whole loop
  double steps_per_second = 0;
  double exchange_seconds = 0;  // of the updates, spent exchanging gradients between ranks (NaN: not measured)
};

// Called at step 0 (before any update), every log_every steps, and at the last step. The backend is
// passed so observers can read tensors (the embedding) at that moment.
using LogObserver = std::function<void(const LogPoint&, Backend&)>;

// Called after every update step with its number; must be cheap (it runs on the hot path).
using ProgressObserver = std::function<void(std::int64_t step)>;

// Loads the corpus and `initial` parameters (or config.resume's state) into the backend, then trains.
// result.initial is `initial` either way.
TrainResult train(Backend& backend, const Corpus& corpus, const Params& initial, const TrainConfig& config,
                  const LogObserver& observer, const ProgressObserver& progress = nullptr);

// Rewrites the context ids x (rows, C) of the evaluation windows from first_window before their forward pass
// (the word-order experiment shuffles each window's order).
using ContextTransform = std::function<void(std::vector<std::int32_t>& x, std::int64_t first_window)>;

// Mean loss over `count` consecutive windows from first_window, forward only (parameters untouched).
double evaluate_loss(Backend& backend, std::int64_t first_window, std::int64_t count,
                     const ContextTransform& transform = nullptr);

}  // namespace embgeo

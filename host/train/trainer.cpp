// The training loop over the Backend interface: the step-0 loss, then train steps with the validation loss
// (evaluate_loss) measured every --log-every steps, and timing of the updates alone. With ranks it also keeps
// them in step: losses summed over ranks, validation split between them, parameter checksums at log points,
// one stop for all.
#include "train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "embgeo/error.hpp"

namespace embgeo {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double mean_loss(const Backend::LossSum& loss) { return loss.rows > 0 ? loss.sum / static_cast<double>(loss.rows) : 0.0; }

// A loss accumulator summed over the ranks (one process: as it is).
Backend::LossSum over_ranks(Backend::LossSum local, RankGroup* ranks) {
  if (ranks == nullptr) return local;
  double both[2] = {local.sum, static_cast<double>(local.rows)};
  ranks->all_reduce_sum(both, 2);
  return {both[0], static_cast<std::int64_t>(both[1])};
}

// The earliest step at which any rank's batch diverged (-1: none).
std::int64_t diverged_step_of_any_rank(const Backend& backend) {
  std::int64_t at = backend.diverged_step();
  RankGroup* ranks = backend.config().ranks;
  if (ranks == nullptr) return at;
  if (at < 0) at = std::numeric_limits<std::int64_t>::max();
  ranks->all_reduce_min(&at, 1);
  return at == std::numeric_limits<std::int64_t>::max() ? -1 : at;
}

// FNV-1a over the parameters' bytes: ranks that applied the same summed gradients hold the same bits.
std::uint64_t parameter_checksum(const Backend& backend) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const Tensor t : parameter_tensors(backend.config().shape))
    for (const float v : backend.read(t)) {
      std::uint32_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      for (int byte = 0; byte < 4; ++byte) hash = (hash ^ ((bits >> (8 * byte)) & 0xffu)) * 1099511628211ull;
    }
  return hash;
}

// Every rank must hold the same parameters; the first rank that does not stops the run on all of them.
void check_ranks_agree(const Backend& backend, std::int64_t step) {
  RankGroup* ranks = backend.config().ranks;
  if (ranks == nullptr) return;
  const std::uint64_t mine = parameter_checksum(backend);
  std::vector<std::uint64_t> all(static_cast<std::size_t>(ranks->size()));
  ranks->all_gather(&mine, sizeof mine, all.data());
  for (std::size_t r = 1; r < all.size(); ++r)
    if (all[r] != all[0])
      fail("ranks disagree at step ", step, ": rank ", r, "'s parameters differ from rank 0's (checksum ", std::hex,
           all[r], " vs ", all[0], std::dec, "); were the ranks started with the same options and devices?");
}

// Whether any rank was asked to stop (a signal may reach only some of them); all ranks must stop together.
bool any_rank_asks_to_stop(const TrainConfig& config, RankGroup* ranks) {
  const bool mine = config.stop_requested && config.stop_requested();
  if (ranks == nullptr) return mine;
  std::int64_t keep_going = mine ? 0 : 1;
  ranks->all_reduce_min(&keep_going, 1);
  return keep_going == 0;
}

// A training loss above this multiple of the step-0 loss (or not finite) means the optimizer has left the
// basin; every later step, and any checkpoint, would only carry the damage further.
constexpr double kDivergedFactor = 10.0;

// "head.weight holds non-finite values", or that the parameters are still finite.
std::string parameter_state(const Backend& backend) {
  for (const Tensor t : parameter_tensors(backend.config().shape)) {
    const std::vector<float> values = backend.read(t);
    if (std::any_of(values.begin(), values.end(), [](float v) { return !std::isfinite(v); }))
      return std::string(tensor_name(t)) + " holds non-finite values";
  }
  return "the parameters are still finite";
}

// Stops the run, naming the step, the loss, the learning rate and the first broken tensor, when a batch raised
// the backend's divergence flag or `loss` (the mean over the steps since `since`) has diverged.
void check_not_diverged(const char* what, double loss, std::int64_t step, std::int64_t since,
                        const TrainProgress& state, const Backend& backend) {
  const double initial = state.log.front().train_loss;
  const double lr = backend.config().optimizer.lr;
  if (const std::int64_t at = diverged_step_of_any_rank(backend); at >= 0)
    fail("training diverged at step ", at, ": its batch loss went above ", kDivergedFactor, "x the step-0 loss ",
         initial, " (or was not finite) at lr ", lr, "; ", parameter_state(backend),
         "; no checkpoint was written after it; lower --lr");
  if (std::isfinite(loss) && loss <= kDivergedFactor * initial) return;
  fail("training diverged by step ", step, ": ", what, " ", loss, " over steps ", since + 1, "..", step, " (step 0: ",
       initial, ") at lr ", lr, "; ", parameter_state(backend), "; no checkpoint was written after it; lower --lr");
}

}  // namespace

// Always the full softmax over the head, whatever the training loss: validation losses of softmax and
// negative-sampling runs are one measure.
double evaluate_loss(Backend& backend, std::int64_t first_window, std::int64_t count, const ContextTransform& transform) {
  backend.take_loss_sum();  // evaluation must not mix with the training accumulator
  const int B = backend.config().shape.B;
  RankGroup* ranks = backend.config().ranks;
  if (ranks != nullptr) {  // each rank evaluates its slice of the windows; the sums are added below
    const std::int64_t begin = count * ranks->rank() / ranks->size(), end = count * (ranks->rank() + 1) / ranks->size();
    first_window += begin;
    count = end - begin;
  }
  for (std::int64_t done = 0; done < count;) {
    const int rows = static_cast<int>(std::min<std::int64_t>(B, count - done));
    backend.window_batch(first_window + done, rows);
    if (transform) {
      std::vector<std::int32_t> x = backend.read_ids(Tensor::kX);
      transform(x, first_window + done);
      backend.write_ids(Tensor::kX, x, rows);
    }
    backend.gather_pool_forward();
    backend.head_forward_softmax_xent();  // its gradient output is simply not used
    done += rows;
  }
  return mean_loss(over_ranks(backend.take_loss_sum(), ranks));
}

TrainResult train(Backend& backend, const Corpus& corpus, const Params& initial, const TrainConfig& config,
                  const LogObserver& observer, const ProgressObserver& progress) {
  const ModelShape& shape = backend.config().shape;
  // --steps and --log-every are validated where they are parsed (check_run_options); here only a caller bug.
  if (config.steps < 1 || config.log_every < 1 || config.checkpoint_every < 0)
    fail("internal: ", config.steps, " steps, log every ", config.log_every, ", checkpoint every ", config.checkpoint_every);
  if (corpus.vocab.size() != shape.V) fail("internal: corpus vocabulary ", corpus.vocab.size(), " != V ", shape.V);
  const int context = backend.config().layout().context;
  const std::int64_t train_windows = corpus.train_windows(context);
  const std::int64_t val_windows = std::min(corpus.val_windows(context), config.max_eval_windows);
  if (train_windows < 1 || val_windows < 1) fail("internal: corpus was not split for --ctx ", context);

  RankGroup* ranks = backend.config().ranks;
  backend.load_corpus(corpus.ids);
  if (backend.config().loss == Loss::kNegativeSampling)  // noise from the training text only
    backend.load_noise(noise_cdf(corpus.ids.data(), static_cast<std::size_t>(corpus.train_tokens), shape.V));
  TrainProgress state;
  if (config.resume != nullptr) {
    backend.load_params(config.resume->params);
    for (const auto& [tensor, values] : config.resume->moments) backend.write(tensor, values);
    state = config.resume->progress;
    // The checkpoint's accumulator is the sum over all ranks: one rank carries it on.
    backend.set_loss_sum(ranks == nullptr || ranks->rank() == 0 ? state.pending_loss : Backend::LossSum{});
  } else {
    backend.load_params(initial);
  }

  TrainResult result;
  result.initial = initial;
  // A resumed run's clock continues from its last log point.
  const double elapsed_before = state.log.empty() ? 0.0 : state.log.back().elapsed_seconds;
  const auto start = std::chrono::steady_clock::now();
  auto record = [&](std::int64_t step, double train_loss) {
    check_ranks_agree(backend, step);
    LogPoint point{step, train_loss, evaluate_loss(backend, corpus.val_begin(), val_windows),
                   elapsed_before + seconds_since(start)};
    state.log.push_back(point);
    if (observer) observer(point, backend);
  };

  if (config.resume == nullptr) {
    // Step 0: the loss of the first training batch before any update (its gradients are not applied).
    backend.sample_batch(config.seed, 1, 0, train_windows);
    backend.gather_pool_forward();
    backend.loss_forward_backward();
    record(0, mean_loss(over_ranks(backend.take_loss_sum(), ranks)));
  }
  backend.set_divergence_limit(kDivergedFactor * state.log.front().train_loss);

  auto interval_start = std::chrono::steady_clock::now();
  for (std::int64_t step = state.step + 1; step <= config.steps; ++step) {
    backend.train_step(config.seed, step, 0, train_windows);
    state.step = step;
    if (progress) progress(step);
    if (step % config.log_every == 0 || step == config.steps) {
      const double train_loss = mean_loss(over_ranks(backend.take_loss_sum(), ranks));
      state.pending_loss = {};
      state.update_seconds += seconds_since(interval_start);  // take_loss_sum synchronized the device
      const std::int64_t since = state.log.back().step;
      check_not_diverged("mean training loss", train_loss, step, since, state, backend);
      record(step, train_loss);
      check_not_diverged("validation loss", state.log.back().val_loss, step, since, state, backend);
      interval_start = std::chrono::steady_clock::now();
    }
    const bool stop = any_rank_asks_to_stop(config, ranks) && step < config.steps;
    const bool due = config.checkpoint_every > 0 && step % config.checkpoint_every == 0;
    if (config.checkpoint && (due || stop)) {
      const Backend::LossSum mine = backend.take_loss_sum();
      backend.set_loss_sum(mine);  // the sum goes on as if it had not been read
      state.pending_loss = over_ranks(mine, ranks);
      check_not_diverged("mean training loss", mean_loss(state.pending_loss), step, state.log.back().step, state, backend);
      state.update_seconds += seconds_since(interval_start);
      config.checkpoint(state, backend);
      interval_start = std::chrono::steady_clock::now();
    }
    // Every rank stops here; the others must not end the job before rank 0 has written the checkpoint.
    if (stop && ranks != nullptr) ranks->barrier();
    if (stop) throw TrainingInterrupted(step, detail::concat("training interrupted after step ", step, " of ", config.steps));
  }
  result.log = std::move(state.log);
  result.final = backend.params();
  result.train_seconds = state.update_seconds;
  result.total_seconds = elapsed_before + seconds_since(start);
  result.steps_per_second = state.update_seconds > 0 ? static_cast<double>(config.steps) / state.update_seconds : 0.0;
  result.exchange_seconds = backend.exchange_seconds();
  return result;
}

}  // namespace embgeo

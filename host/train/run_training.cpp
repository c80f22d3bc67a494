// One training run end to end: option checks, the corpus (text, llm.c tokens or built-in), the one BackendConfig
// built from the options, the backend, and training with a live progress line and per-log-step geometry.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "data/tokenizers.hpp"
#include "embgeo/cuda_backend.hpp"
#include "embgeo/error.hpp"
#include "ranks/mpi_ranks.hpp"
#include "train/checkpoint.hpp"
#include "train/device.hpp"
#include "train/interrupt.hpp"
#include "train/run.hpp"
#include "util/text_table.hpp"

namespace embgeo {
namespace {

std::string format_seconds(double seconds) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(seconds < 10 ? 2 : 1) << seconds << "s";
  return out.str();
}

// A live "step/total, loss, steps/s, ETA" line on a terminal, redrawn at most ten times a second. Off a
// terminal the per-log-step lines are the progress report.
class ProgressLine {
 public:
  ProgressLine(std::int64_t total, bool enabled) : total_(total), enabled_(enabled && ::isatty(STDERR_FILENO)) {}
  ~ProgressLine() { clear(); }
  void set_loss(double loss) { loss_ = loss; }
  void update(std::int64_t step) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100) && step != total_) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(step) / elapsed : 0;
    std::cerr << "\r  step " << step << "/" << total_ << "  loss " << std::fixed << std::setprecision(4) << loss_
              << "  " << std::setprecision(0) << rate << " steps/s  ETA "
              << format_seconds(rate > 0 ? static_cast<double>(total_ - step) / rate : 0) << std::defaultfloat
              << "   " << std::flush;
    drawn_ = true;
  }
  void clear() {
    if (drawn_) std::cerr << "\r" << std::string(72, ' ') << "\r" << std::flush;
    drawn_ = false;
  }

 private:
  std::int64_t total_;
  bool enabled_;
  bool drawn_ = false;
  double loss_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_draw_{};
};

}  // namespace

void check_run_options(const RunOptions& o) {
  if (o.steps < 1 || o.steps > 1'000'000'000) fail("--steps must be in [1, 1e9], got ", o.steps);
  if (o.log_every < 1) fail("--log-every must be at least 1, got ", o.log_every);
  if (o.threads < 0 || o.threads > 1024) fail("--threads must be in [0, 1024], got ", o.threads);
  if (!(o.lr > 0.0f) || !std::isfinite(o.lr)) fail("--lr must be a positive number, got ", o.lr);
  parse_optimizer(o.optimizer);
  if (o.tokenizer != "char" && o.tokenizer != "word") fail("--tokenizer must be char or word, got '", o.tokenizer, "'");
  if (o.min_count < 1) fail("--min-count must be at least 1, got ", o.min_count);
  if (!o.tokens_path.empty() && !o.corpus_path.empty()) fail("--corpus and --tokens are alternatives; give one");
  if (!o.vocab_path.empty() && o.tokens_path.empty()) fail("--vocab names the rows of --tokens; give --tokens too");
  if (o.vocab_size != 0 && o.tokens_path.empty()) fail("--vocab-size states the rows of --tokens; give --tokens too");
  if (o.geometry.k < 1 || o.geometry.k > 1000) fail("-k must be in [1, 1000], got ", o.geometry.k);
  if (o.checkpoint_every < 0) fail("--checkpoint-every must be at least 0, got ", o.checkpoint_every);
  if (o.checkpoint_every > 0 && o.checkpoint_path.empty())
    fail("--checkpoint-every needs a run directory to write to; drop --no-files");
  validate_window_layout({parse_objective(o.objective), o.ctx});
  validate_pooling(pooling_of(o), parse_objective(o.objective));
  parse_loss(o.loss);
  check_dimension("--negatives", o.negatives, kMaxNegatives);
  if (o.exchange != "auto" && o.exchange != "dense" && o.exchange != "sparse")
    fail("--exchange must be auto, dense or sparse, got '", o.exchange, "'");
}

namespace {

// auto: lazy Adam needs the sparse exchange; otherwise the one that moves fewer bytes per step (dense on a tie).
EmbeddingExchange choose_exchange(const std::string& name, const BackendConfig& c) {
  if (name == "dense") return EmbeddingExchange::kDense;
  if (name == "sparse" || c.optimizer.kind == OptimizerKind::kLazyAdam) return EmbeddingExchange::kSparse;
  const ModelShape& s = c.shape;
  const int N = c.ranks->size();
  return embedding_exchange_bytes(EmbeddingExchange::kSparse, N, s, c.global_batch()) <
                 embedding_exchange_bytes(EmbeddingExchange::kDense, N, s, c.global_batch())
             ? EmbeddingExchange::kSparse
             : EmbeddingExchange::kDense;
}

}  // namespace

Pooling pooling_of(const RunOptions& o) {
  return {parse_pool(o.pool), parse_position(o.position), parse_position_mode(o.position_mode)};
}

ModelShape model_shape(const RunOptions& o, int V) {
  return ModelShape{V, o.dim, WindowLayout{parse_objective(o.objective), o.ctx}.pooled_ids(), o.batch, pooling_of(o)};
}

BackendConfig backend_config(const RunOptions& o, const ModelShape& shape) {
  BackendConfig config;
  config.shape = shape;
  config.set_layout({parse_objective(o.objective), o.ctx});
  config.loss = parse_loss(o.loss);
  config.negatives = o.negatives;
  config.optimizer.kind = parse_optimizer(o.optimizer);
  config.optimizer.lr = o.lr;
  config.freeze_embedding = o.freeze_embedding;
  config.deterministic = o.deterministic;
  config.tf32 = o.tf32;
  config.cpu_threads = usable_cpu_threads(o.threads);
  if (o.ranks != nullptr) {
    const int N = o.ranks->size();
    if (shape.B % N != 0)
      fail("--batch ", shape.B, " does not split evenly over ", N, " ranks; give a multiple of ", N);
    config.ranks = o.ranks;
    config.shape.B = shape.B / N;
    config.exchange = choose_exchange(o.exchange, config);
  }
  return config;
}

Corpus load_corpus_for(const RunOptions& o) {
  Corpus corpus;
  if (!o.tokens_path.empty()) {
    corpus = read_token_bin(o.tokens_path, o.vocab_path, o.vocab_size);
  } else {
    const bool builtin = o.corpus_path.empty();
    const std::string text = builtin ? default_corpus_text() : read_text_file(o.corpus_path);
    const std::string name = builtin ? "built-in toy corpus" : o.corpus_path;
    corpus = o.tokenizer == "word" ? make_word_corpus(text, name, o.min_count) : make_char_corpus(text, name);
  }
  split_corpus(corpus, o.val_fraction, o.ctx);
  return corpus;
}

RunOutcome run_training(const RunOptions& options, std::ostream& console, const RunHooks& hooks,
                        const Checkpoint* resume) {
  check_run_options(options);
  RunOutcome run;
  run.corpus = load_corpus_for(options);
  if (hooks.corpus) hooks.corpus(run.corpus);
  if (resume != nullptr && (resume->vocabulary != run.corpus.vocab.tokens ||
                            resume->corpus_fingerprint != corpus_fingerprint(run.corpus)))
    fail("--resume: the corpus ", run.corpus.name, " is not the one the checkpoint was trained on (changed since?)");
  run.shape = model_shape(options, run.corpus.vocab.size());
  validate_shape(run.shape);
  GeometryRecorder recorder(run.corpus, run.shape, options.ctx, options.geometry);  // bad --pairs/--neighbors fail here
  if (resume != nullptr) recorder.restore(resume->geometry);

  // With ranks, rank 0 alone speaks (the CLI makes the others quiet); each rank drives its machine's GPU.
  const bool speaks = options.ranks == nullptr || options.ranks->rank() == 0;
  std::string notice;
  const DeviceChoice device = resolve_device(options.device, &notice, options.ranks != nullptr ? local_rank() : 0);
  if (!notice.empty() && speaks) std::cerr << notice << '\n';
  if (options.ranks != nullptr && device.cuda && !device.emulated && local_rank_count() > 1) {
    // NCCL refuses two ranks of one communicator on one GPU.
    if (options.device != "auto")
      fail("--device ", options.device, " would put all ", local_rank_count(), " ranks of this machine on one GPU; ",
           "under mpirun use --device auto (rank r drives GPU r % GPUs)");
    if (const int gpus = query_gpus().count; local_rank_count() > gpus)
      fail(local_rank_count(), " ranks on this machine but only ", gpus,
           " GPU(s): NCCL needs a GPU per rank; start at most that many ranks per machine");
  }
  const BackendConfig config = backend_config(options, run.shape);
  if (!device.cuda && config.cpu_threads < options.threads && speaks)
    std::cerr << "note: --threads " << options.threads << " capped at the " << config.cpu_threads
              << " cores available\n";
  const std::unique_ptr<Backend> backend = make_backend(device, config);
  run.device = backend->name();

  const ModelShape& s = run.shape;
  if (!options.quiet)
    console << "corpus: " << run.corpus.name << " (" << run.corpus.ids.size() << " tokens, V=" << s.V << ", "
            << run.corpus.train_windows(options.ctx) << " train / " << run.corpus.val_windows(options.ctx)
            << " validation windows)\n"
            << "model: " << options.objective << " ("
            << (config.loss == Loss::kNegativeSampling ? "negative sampling, " + std::to_string(options.negatives) + " noise ids"
                                                       : std::string("softmax"))
            << "), " << pooling_description(s.pooling) << ", D=" << s.D << " C=" << s.C << " B=" << s.B << ", "
            << options.optimizer << " lr "
            << options.lr << (options.freeze_embedding ? ", embedding frozen" : "") << ", " << options.steps
            << " steps, seed " << options.seed << ", device " << run.device << ", state "
            << fixed(static_cast<double>(training_state_bytes(backend->config())) / (1 << 20), 1) << " MiB\n";
  if (const std::string notice = pooling_notice(s.pooling); !notice.empty() && !options.quiet) console << notice << "\n";
  if (options.ranks != nullptr) {
    const ModelShape& local = config.shape;
    run.ranks = options.ranks->size();
    run.exchange = config.exchange;
    const double embedding = config.freeze_embedding
                                 ? 0.0
                                 : embedding_exchange_bytes(config.exchange, run.ranks, local, config.global_batch());
    run.exchange_bytes_per_step = embedding + head_exchange_bytes(run.ranks, local);
    if (!options.quiet)
      console << "ranks: " << run.ranks << " (" << local.B << " rows each), embedding gradient exchange "
              << exchange_name(config.exchange) << ": " << fixed(embedding / 1024, 1) << " KiB per rank per step, head "
              << fixed(head_exchange_bytes(run.ranks, local) / 1024, 1) << " KiB\n";
  }

  Params initial = init_params(s, options.seed);
  if (hooks.params) hooks.params(initial);
  TrainConfig train_config;
  train_config.steps = options.steps;
  train_config.seed = options.seed;
  train_config.log_every = options.log_every;
  train_config.checkpoint_every = options.checkpoint_every;
  if (!options.checkpoint_path.empty())
    train_config.checkpoint = [&](const TrainProgress& progress, const Backend& b) {
      if (speaks) write_checkpoint(options.checkpoint_path, options, run.corpus, progress, b, recorder.points());
    };
  const InterruptFlag interrupt;
  train_config.stop_requested = [&interrupt] { return interrupt.raised(); };
  if (resume != nullptr) {
    train_config.resume = &resume->resume;
    if (!options.quiet) console << "resumed at step " << resume->resume.progress.step << "\n";
  }
  const int step_width = static_cast<int>(std::to_string(options.steps).size());
  ProgressLine progress(options.steps, !options.quiet);
  const auto observe = [&](const LogPoint& p, Backend& b) {
    recorder.observe(p, b.read(Tensor::kEmbedding));
    progress.set_loss(p.train_loss);
    if (options.quiet) return;
    progress.clear();
    const GeometryPoint& g = recorder.last();
    console << "step " << std::setw(step_width) << p.step << "/" << options.steps << "  train " << std::fixed
            << std::setprecision(4) << p.train_loss << "  val " << p.val_loss << "  |E| " << std::setprecision(2)
            << g.norms.mean << "  geometry " << std::setprecision(3) << g.geometry_score << "  successor "
            << g.successor_score << "  "
            << format_seconds(p.elapsed_seconds) << std::defaultfloat << "\n"
            << std::flush;
  };
  try {
    run.result = train(*backend, run.corpus, initial, train_config, observe,
                       [&](std::int64_t step) { progress.update(step); });
  } catch (const TrainingInterrupted& stopped) {
    progress.clear();
    if (options.checkpoint_path.empty()) fail(stopped.what(), " by signal ", interrupt.signal(), "; no checkpoint (--no-files)");
    fail(stopped.what(), " by signal ", interrupt.signal(), "; checkpoint written: resume with `embgeo-cuda train --resume ",
         options.checkpoint_path, "`");
  }
  progress.clear();
  run.geometry = recorder.finish(run.result.initial, run.result.final);

  const TrainResult& r = run.result;
  if (!options.quiet)
    console << std::fixed << std::setprecision(4) << "done: val loss " << r.log.back().val_loss << " (from "
            << r.log.front().val_loss << "; uniform guess ln V = " << std::log(static_cast<double>(s.V)) << ") in "
            << format_seconds(r.total_seconds) << ", " << std::setprecision(0) << r.steps_per_second << " steps/s"
            << std::defaultfloat << "\n";
  return run;
}

}  // namespace embgeo

#include "embgeo/run.hpp"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "embgeo/atomic_file.hpp"
#include "embgeo/device.hpp"
#include "embgeo/error.hpp"

namespace embgeo {
namespace {

void check_options(const RunOptions& o) {
  if (o.steps < 1 || o.steps > 1'000'000'000) fail("--steps must be in [1, 1e9], got ", o.steps);
  if (o.log_every < 1) fail("--log-every must be at least 1, got ", o.log_every);
  if (!(o.lr > 0.0f) || !std::isfinite(o.lr)) fail("--lr must be a positive number, got ", o.lr);
  parse_optimizer(o.optimizer);
}

std::string format_seconds(double seconds) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(seconds < 10 ? 2 : 1) << seconds << "s";
  return out.str();
}

nlohmann::json summary_json(const RunOptions& o, const RunOutcome& run) {
  const TrainResult& r = run.result;
  nlohmann::json j;
  j["device"] = run.device;
  j["corpus"] = run.corpus.name;
  j["corpus_tokens"] = run.corpus.ids.size();
  j["vocab_size"] = run.shape.V;
  j["dim"] = run.shape.D;
  j["ctx"] = run.shape.C;
  j["batch"] = run.shape.B;
  j["steps"] = o.steps;
  j["seed"] = o.seed;
  j["optimizer"] = o.optimizer;
  j["lr"] = o.lr;
  j["freeze_embedding"] = o.freeze_embedding;
  j["uniform_baseline_loss"] = std::log(static_cast<double>(run.shape.V));
  j["initial_val_loss"] = r.log.front().val_loss;
  j["final_train_loss"] = r.log.back().train_loss;
  j["val_loss"] = r.log.back().val_loss;
  j["seconds"] = r.total_seconds;
  j["train_seconds"] = r.train_seconds;
  j["steps_per_second"] = r.steps_per_second;
  return j;
}

void write_outputs(const RunOptions& o, const RunOutcome& run) {
  make_directories(o.out_dir);
  write_file_atomically(o.out_dir + "/metrics.jsonl", [&](std::ostream& out) {
    for (const LogPoint& p : run.result.log)
      out << nlohmann::json{{"step", p.step}, {"train_loss", p.train_loss}, {"val_loss", p.val_loss},
                            {"elapsed_seconds", p.elapsed_seconds}}
                 .dump()
          << '\n';
  });
  write_file_atomically(o.out_dir + "/summary.json", summary_json(o, run).dump(2) + "\n");
}

}  // namespace

Corpus load_corpus_for(const RunOptions& options) {
  Corpus corpus = options.corpus_path.empty()
                      ? make_char_corpus(default_corpus_text(), "built-in toy corpus")
                      : make_char_corpus(read_text_file(options.corpus_path), options.corpus_path);
  split_corpus(corpus, options.val_fraction, options.ctx);
  return corpus;
}

RunOutcome run_training(const RunOptions& options, std::ostream& console) {
  check_options(options);
  RunOutcome run;
  run.corpus = load_corpus_for(options);
  run.shape = ModelShape{run.corpus.vocab.size(), options.dim, options.ctx, options.batch};
  validate_shape(run.shape);
  if (!options.out_dir.empty()) make_directories(options.out_dir);  // fail before training, not after

  std::string notice;
  const DeviceChoice device = resolve_device(options.device, &notice);
  if (!notice.empty()) std::cerr << notice << '\n';
  BackendConfig config;
  config.shape = run.shape;
  config.optimizer.kind = parse_optimizer(options.optimizer);
  config.optimizer.lr = options.lr;
  config.freeze_embedding = options.freeze_embedding;
  const std::unique_ptr<Backend> backend = make_backend(device, config);
  run.device = backend->name();

  const ModelShape& s = run.shape;
  console << "corpus: " << run.corpus.name << " (" << run.corpus.ids.size() << " tokens, V=" << s.V << ", "
          << run.corpus.train_windows(s.C) << " train / " << run.corpus.val_windows(s.C) << " validation windows)\n"
          << "model: D=" << s.D << " C=" << s.C << " B=" << s.B << ", " << options.optimizer << " lr " << options.lr
          << (options.freeze_embedding ? ", embedding frozen" : "") << ", " << options.steps << " steps, seed "
          << options.seed << ", device " << run.device << "\n";

  TrainConfig train_config;
  train_config.steps = options.steps;
  train_config.seed = options.seed;
  train_config.log_every = options.log_every;
  const int step_width = static_cast<int>(std::to_string(options.steps).size());
  run.result = train(*backend, run.corpus, init_params(s, options.seed), train_config,
                     [&](const LogPoint& p, Backend&) {
                       if (!std::isfinite(p.train_loss) || !std::isfinite(p.val_loss))
                         fail("loss became non-finite by step ", p.step, " (train ", p.train_loss, ", val ",
                              p.val_loss, "); lower --lr");
                       console << "step " << std::setw(step_width) << p.step << "/" << options.steps << "  train "
                               << std::fixed << std::setprecision(4) << p.train_loss << "  val " << p.val_loss
                               << "  " << format_seconds(p.elapsed_seconds) << std::defaultfloat << "\n"
                               << std::flush;
                     });
  const TrainResult& r = run.result;
  console << std::fixed << std::setprecision(4) << "done: val loss " << r.log.back().val_loss << " (from "
          << r.log.front().val_loss << "; uniform guess ln V = " << std::log(static_cast<double>(s.V)) << ") in "
          << format_seconds(r.total_seconds) << ", " << std::setprecision(0) << r.steps_per_second << " steps/s"
          << std::defaultfloat << "\n";
  if (!options.out_dir.empty()) {
    write_outputs(options, run);
    console << "wrote " << options.out_dir << "/summary.json and metrics.jsonl\n";
  }
  return run;
}

}  // namespace embgeo

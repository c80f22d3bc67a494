// Everything a training run leaves on disk: the numbers (summary.json, metrics.jsonl), the tables in
// other tools' formats (safetensors, .npy, .vec, projector TSV, vocab.txt), the pictures and report.md.
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>

#include "formats/formats.hpp"
#include "plots/plots.hpp"
#include "train/run.hpp"
#include "train/run_reading.hpp"
#include "util/atomic_file.hpp"
#include "util/json_text.hpp"

namespace embgeo {
namespace {

using nlohmann::json;

json summary_json(const nlohmann::json& geometry, const RunOptions& o, const RunOutcome& run) {
  const TrainResult& r = run.result;
  json j;
  j["device"] = run.device;
  j["corpus"] = run.corpus.name;
  j["corpus_tokens"] = run.corpus.ids.size();
  j["tokenizer"] = o.tokens_path.empty() ? o.tokenizer : "llm.c tokens";
  j["vocab_size"] = run.shape.V;
  j["dim"] = run.shape.D;
  j["objective"] = o.objective;
  j["loss"] = o.loss;
  if (o.loss != "softmax") j["negatives"] = o.negatives;
  j["ctx"] = o.ctx;
  j["pool"] = o.pool;
  j["position"] = o.position;
  if (o.position != "none") j["position_mode"] = o.position_mode;
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
  j["ranks"] = run.ranks;
  if (run.ranks > 1 || o.ranks != nullptr) {
    j["exchange"] = exchange_name(run.exchange);
    j["exchange_bytes_per_step"] = run.exchange_bytes_per_step;
    // NaN (not measured, on the GPU) becomes null.
    j["exchange_seconds"] = std::isfinite(r.exchange_seconds) ? json(r.exchange_seconds) : json(nullptr);
  }
  j["geometry"] = geometry;
  j["reading"] = run_reading(run);
  return j;
}

json summary_of(const metrics::Summary& s) {
  return {{"mean", s.mean}, {"std", s.stddev}, {"min", s.min}, {"median", s.median}, {"max", s.max}};
}

json matrix_rows(const std::vector<float>& m, int V) {
  json rows = json::array();
  for (int i = 0; i < V; ++i) rows.push_back(std::vector<float>(m.begin() + static_cast<std::ptrdiff_t>(i) * V, m.begin() + static_cast<std::ptrdiff_t>(i + 1) * V));
  return rows;
}

json geometry_json(const RunOutcome& run) {
  const GeometryReport& g = run.geometry;
  const Vocabulary& vocab = run.corpus.vocab;
  json j;
  j["window"] = g.window;
  j["before"] = {{"norms", summary_of(g.points.front().norms)}, {"geometry_score", g.points.front().geometry_score},
                 {"successor_score", g.points.front().successor_score}};
  j["after"] = {{"norms", summary_of(g.points.back().norms)}, {"geometry_score", g.points.back().geometry_score},
                {"successor_score", g.points.back().successor_score}};
  json pairs = json::array();
  for (const PairCosine& p : g.pairs)
    pairs.push_back({{"group", p.group}, {"a", vocab.tokens[p.a]}, {"b", vocab.tokens[p.b]},
                     {"cooccurrences", p.cooccurrences}, {"before", p.before}, {"after", p.after},
                     {"delta", p.after - p.before}});
  j["pairs"] = pairs;
  json means = json::array();
  for (const PairGroupMean& m : pair_group_means(g))
    means.push_back({{"group", m.group}, {"pairs", m.count}, {"before", m.before}, {"after", m.after}});
  j["pair_group_means"] = means;
  json neighbors = json::array();
  for (const NeighborLists& n : g.neighbors)
    neighbors.push_back({{"query", vocab.tokens[n.query]}, {"before", neighbors_json(n.before, vocab.tokens)},
                         {"after", neighbors_json(n.after, vocab.tokens)}});
  j["neighbors"] = neighbors;
  j["pca"] = {{"tokens", g.drawn.size()},
              {"explained_before", {g.pca_before.explained[0], g.pca_before.explained[1]}},
              {"explained_after", {g.pca_after.explained[0], g.pca_after.explained[1]}}};
  if (!g.cosine_before.empty())
    j["cosine_matrix"] = {{"tokens", vocab.tokens}, {"before", matrix_rows(g.cosine_before, run.shape.V)},
                          {"after", matrix_rows(g.cosine_after, run.shape.V)}};
  return j;
}

void write_metrics_jsonl(const std::string& path, const RunOutcome& run) {
  const GeometryReport& g = run.geometry;
  const Vocabulary& vocab = run.corpus.vocab;
  write_file_atomically(path, [&](std::ostream& out) {
    for (const GeometryPoint& p : g.points) {
      json pairs = json::object();
      for (std::size_t i = 0; i < g.pairs.size(); ++i)
        pairs[g.pairs[i].group + ":" + vocab.tokens[g.pairs[i].a] + ":" + vocab.tokens[g.pairs[i].b]] = p.pair_cosines[i];
      const json line = {{"step", p.step},
                         {"train_loss", p.train_loss},
                         {"val_loss", p.val_loss},
                         {"norm", summary_of(p.norms)},
                         {"geometry_score", p.geometry_score},
                         {"successor_score", p.successor_score},
                         {"cooccurring_mean_cosine", p.cooccurring_mean_cosine},
                         {"never_mean_cosine", p.never_mean_cosine},
                         {"pair_cosines", pairs}};
      out << json_text(line, -1);
    }
  });
}

formats::FloatMatrix matrix(const std::vector<float>& values, std::int64_t rows, std::int64_t cols, bool vector = false) {
  return formats::FloatMatrix{rows, cols, vector, values};
}

void write_exports(const std::string& dir, const RunOptions& o, const RunOutcome& run) {
  const int V = run.shape.V, D = run.shape.D, H = run.shape.H();
  const std::map<std::string, std::string> metadata = {
      {"format", "embgeo-cuda"}, {"vocab_size", std::to_string(V)}, {"dim", std::to_string(D)},
      {"objective", o.objective}, {"loss", o.loss}, {"ctx", std::to_string(o.ctx)}, {"batch", std::to_string(run.shape.B)},
      {"pool", o.pool}, {"position", o.position}, {"position_mode", o.position_mode},
      {"steps", std::to_string(o.steps)}, {"seed", std::to_string(o.seed)}, {"optimizer", o.optimizer},
      {"lr", std::to_string(o.lr)}, {"corpus", run.corpus.name}, {"device", run.device}};
  auto tables = [&](const Params& p) {
    std::vector<std::pair<std::string, formats::FloatMatrix>> t{
        {"embedding", matrix(p.embedding, V, D)}, {"head.weight", matrix(p.head_weight, V, H)},
        {"head.bias", matrix(p.head_bias, V, 1, true)}};
    if (!p.position.empty()) t.emplace_back("position", matrix(p.position, run.shape.C, D));
    return t;
  };
  formats::write_safetensors(dir + "/embedding_before.safetensors", tables(run.result.initial), metadata);
  formats::write_safetensors(dir + "/embedding_after.safetensors", tables(run.result.final), metadata);
  const formats::FloatMatrix after = matrix(run.result.final.embedding, V, D);
  formats::write_npy(dir + "/embedding.npy", after);
  formats::write_word2vec_text(dir + "/vectors.vec", run.corpus.vocab.tokens, after);
  formats::write_projector_tsv(dir + "/vectors.tsv", dir + "/metadata.tsv", run.corpus.vocab.tokens, after);
  formats::write_vocab(dir + "/vocab.txt", run.corpus.vocab.tokens);
}

std::vector<plots::PlotResult> write_pictures(const std::string& dir, const RunOutcome& run) {
  const GeometryReport& g = run.geometry;
  const Vocabulary& vocab = run.corpus.vocab;
  std::vector<plots::PlotResult> results;
  std::vector<std::int64_t> steps;
  std::vector<double> train, val, mean, stddev, min, max;
  for (const GeometryPoint& p : g.points) {
    steps.push_back(p.step);
    train.push_back(p.train_loss);
    val.push_back(p.val_loss);
    mean.push_back(p.norms.mean);
    stddev.push_back(p.norms.stddev);
    min.push_back(p.norms.min);
    max.push_back(p.norms.max);
  }
  results.push_back(plots::plot_loss(dir, steps, train, val, "loss (" + run.corpus.name + ")"));
  results.push_back(plots::plot_norms(dir, steps, mean, stddev, min, max));
  std::vector<std::string> drawn_tokens;
  for (int id : g.drawn) drawn_tokens.push_back(vocab.tokens[id]);
  results.push_back(plots::plot_pca_pair(dir, "pca", drawn_tokens, g.pca_before.coords, g.pca_before.explained,
                                         g.pca_after.coords, g.pca_after.explained, "embedding rows, PCA to 2-D"));
  if (!g.cosine_before.empty()) {
    results.push_back(plots::plot_heatmap(dir, "cosine_before", vocab.tokens, g.cosine_before, run.shape.V,
                                          "cosine similarity before training"));
    results.push_back(plots::plot_heatmap(dir, "cosine_after", vocab.tokens, g.cosine_after, run.shape.V,
                                          "cosine similarity after training"));
  }
  std::vector<plots::TrajectoryFrame> frames;
  const std::size_t per_frame = g.drawn.size() * 2;
  for (std::size_t i = 0; i < g.points.size(); ++i)
    frames.push_back({g.points[i].step, g.points[i].train_loss,
                      std::vector<double>(g.trajectory_basis_coords.begin() + static_cast<std::ptrdiff_t>(i * per_frame),
                                          g.trajectory_basis_coords.begin() + static_cast<std::ptrdiff_t>((i + 1) * per_frame))});
  for (plots::PlotResult& r : plots::plot_trajectory(dir, drawn_tokens, frames, "embedding during training (final PCA basis)"))
    results.push_back(std::move(r));
  return results;
}

}  // namespace

void write_run_outputs(const RunOptions& options, const RunOutcome& run, const std::string& dir, std::ostream& console) {
  make_directories(dir);
  write_file_atomically(dir + "/summary.json", json_text(summary_json(geometry_json(run), options, run)));
  write_metrics_jsonl(dir + "/metrics.jsonl", run);
  write_exports(dir, options, run);
  const std::vector<plots::PlotResult> pictures = write_pictures(dir, run);
  write_file_atomically(dir + "/report.md", run_report_markdown(options, run, pictures));
  console << "wrote " << dir << "/: summary.json metrics.jsonl report.md, embedding_{before,after}.safetensors "
          << "embedding.npy vectors.vec vectors.tsv metadata.tsv vocab.txt\n";
  std::string rendered, note;
  for (const plots::PlotResult& p : pictures) {
    if (p.rendered)
      rendered += " " + p.path.substr(p.path.find_last_of('/') + 1);
    else if (note.empty())
      note = p.note;
  }
  if (!rendered.empty()) console << "pictures:" << rendered << "\n";
  if (!note.empty()) console << note << "\n";
}

}  // namespace embgeo

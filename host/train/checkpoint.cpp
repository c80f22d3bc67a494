// Checkpoint files: the training state as safetensors tensors plus one JSON document in __metadata__ ("run"),
// and the checks a resumed run relies on (format tag, shapes against the options, every tensor present).
#include "train/checkpoint.hpp"

#include <nlohmann/json.hpp>

#include "embgeo/error.hpp"
#include "formats/formats.hpp"

namespace embgeo {
namespace {

using nlohmann::json;

constexpr const char* kFormatKey = "format";
constexpr const char* kFormat = "embgeo-cuda checkpoint 1";

// Tensor names in the file: the parameters as the run's exports name them, each moment after its parameter.
const char* stored_name(Tensor t) {
  switch (t) {
    case Tensor::kEmbedding: return "embedding";
    case Tensor::kHeadWeight: return "head.weight";
    case Tensor::kHeadBias: return "head.bias";
    case Tensor::kPosition: return "position";
    case Tensor::kEmbeddingM: return "adam_m.embedding";
    case Tensor::kEmbeddingV: return "adam_v.embedding";
    case Tensor::kHeadWeightM: return "adam_m.head.weight";
    case Tensor::kHeadWeightV: return "adam_v.head.weight";
    case Tensor::kHeadBiasM: return "adam_m.head.bias";
    case Tensor::kHeadBiasV: return "adam_v.head.bias";
    case Tensor::kPositionM: return "adam_m.position";
    case Tensor::kPositionV: return "adam_v.position";
    default: fail("internal: ", tensor_name(t), " is not part of a checkpoint");
  }
}

json options_json(const RunOptions& o) {
  json pairs = json::array();
  for (const auto& [a, b] : o.geometry.user_pairs) pairs.push_back({a, b});
  return {{"corpus_path", o.corpus_path}, {"tokenizer", o.tokenizer}, {"min_count", o.min_count},
          {"tokens_path", o.tokens_path}, {"vocab_path", o.vocab_path},   {"vocab_size", o.vocab_size}, {"dim", o.dim},
          {"objective", o.objective},     {"loss", o.loss},               {"negatives", o.negatives},
          {"ctx", o.ctx},                 {"pool", o.pool},               {"position", o.position},
          {"position_mode", o.position_mode},                             {"batch", o.batch},
          {"steps", o.steps},
          {"lr", o.lr},                   {"optimizer", o.optimizer},     {"seed", o.seed},
          {"log_every", o.log_every},     {"val_fraction", o.val_fraction},
          {"freeze_embedding", o.freeze_embedding},                       {"deterministic", o.deterministic},
          {"tf32", o.tf32},               {"checkpoint_every", o.checkpoint_every},
          {"pairs", pairs},               {"neighbors", o.geometry.neighbor_tokens}, {"k", o.geometry.k}};
}

RunOptions options_from(const json& j) {
  RunOptions o;
  j.at("corpus_path").get_to(o.corpus_path);
  j.at("tokenizer").get_to(o.tokenizer);
  j.at("min_count").get_to(o.min_count);
  j.at("tokens_path").get_to(o.tokens_path);
  j.at("vocab_path").get_to(o.vocab_path);
  j.at("vocab_size").get_to(o.vocab_size);
  j.at("dim").get_to(o.dim);
  o.objective = j.value("objective", o.objective);  // absent from checkpoints older than the option
  o.loss = j.value("loss", o.loss);
  o.negatives = j.value("negatives", o.negatives);
  j.at("ctx").get_to(o.ctx);
  o.pool = j.value("pool", o.pool);  // absent from checkpoints older than the options
  o.position = j.value("position", o.position);
  o.position_mode = j.value("position_mode", o.position_mode);
  j.at("batch").get_to(o.batch);
  j.at("steps").get_to(o.steps);
  j.at("lr").get_to(o.lr);
  j.at("optimizer").get_to(o.optimizer);
  j.at("seed").get_to(o.seed);
  j.at("log_every").get_to(o.log_every);
  j.at("val_fraction").get_to(o.val_fraction);
  j.at("freeze_embedding").get_to(o.freeze_embedding);
  j.at("deterministic").get_to(o.deterministic);
  j.at("tf32").get_to(o.tf32);
  j.at("checkpoint_every").get_to(o.checkpoint_every);
  for (const json& pair : j.at("pairs")) o.geometry.user_pairs.emplace_back(pair.at(0), pair.at(1));
  j.at("neighbors").get_to(o.geometry.neighbor_tokens);
  j.at("k").get_to(o.geometry.k);
  return o;
}

json log_json(const std::vector<LogPoint>& log) {
  json points = json::array();
  for (const LogPoint& p : log) points.push_back({p.step, p.train_loss, p.val_loss, p.elapsed_seconds});
  return points;
}

std::vector<LogPoint> log_from(const json& j) {
  std::vector<LogPoint> log;
  for (const json& p : j) log.push_back({p.at(0), p.at(1), p.at(2), p.at(3)});
  return log;
}

json geometry_json(const std::vector<GeometryPoint>& points) {
  json out = json::array();
  for (const GeometryPoint& g : points)
    out.push_back({{"step", g.step},
                   {"loss", {g.train_loss, g.val_loss}},
                   {"norms", {g.norms.mean, g.norms.stddev, g.norms.min, g.norms.median, g.norms.max}},
                   {"scores", {g.geometry_score, g.successor_score, g.cooccurring_mean_cosine, g.never_mean_cosine}},
                   {"pair_cosines", g.pair_cosines},
                   {"drawn_rows", g.drawn_rows}});
  return out;
}

std::vector<GeometryPoint> geometry_from(const json& j) {
  std::vector<GeometryPoint> points;
  for (const json& p : j) {
    GeometryPoint g;
    p.at("step").get_to(g.step);
    const json &loss = p.at("loss"), &norms = p.at("norms"), &scores = p.at("scores");
    g.train_loss = loss.at(0);
    g.val_loss = loss.at(1);
    g.norms = {norms.at(0), norms.at(1), norms.at(2), norms.at(3), norms.at(4)};
    g.geometry_score = scores.at(0);
    g.successor_score = scores.at(1);
    g.cooccurring_mean_cosine = scores.at(2);
    g.never_mean_cosine = scores.at(3);
    p.at("pair_cosines").get_to(g.pair_cosines);
    p.at("drawn_rows").get_to(g.drawn_rows);
    points.push_back(std::move(g));
  }
  return points;
}

formats::FloatMatrix as_matrix(Tensor t, std::vector<float> values, const ModelShape& s) {
  const TensorShape shape = parameter_shape(t, s);
  const bool vector = t == Tensor::kHeadBias || t == Tensor::kHeadBiasM || t == Tensor::kHeadBiasV;
  return {shape.rows, shape.cols, vector, std::move(values)};
}

}  // namespace

std::uint64_t corpus_fingerprint(const Corpus& corpus) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64
  const auto mix = [&](std::uint64_t value) {
    for (int byte = 0; byte < 8; ++byte) {
      hash ^= (value >> (8 * byte)) & 0xff;
      hash *= 0x100000001b3ULL;
    }
  };
  mix(static_cast<std::uint64_t>(corpus.train_tokens));
  for (const std::int32_t id : corpus.ids) mix(static_cast<std::uint32_t>(id));
  return hash;
}

void write_checkpoint(const std::string& path, const RunOptions& options, const Corpus& corpus,
                      const TrainProgress& progress, const Backend& backend, const std::vector<GeometryPoint>& geometry) {
  const BackendConfig& config = backend.config();
  std::vector<std::pair<std::string, formats::FloatMatrix>> tensors;
  // Every parameter (a frozen E or a fixed table is not trained, but still state), then the moments.
  std::vector<Tensor> stored = parameter_tensors(config.shape);
  for (const Tensor t : optimizer_tensors(config))
    if (!is_parameter(t)) stored.push_back(t);
  for (const Tensor t : stored) tensors.emplace_back(stored_name(t), as_matrix(t, backend.read(t), config.shape));
  const json run = {{"options", options_json(options)},
                    {"vocabulary", corpus.vocab.tokens},
                    {"corpus_fingerprint", corpus_fingerprint(corpus)},
                    {"step", progress.step},
                    {"log", log_json(progress.log)},
                    {"pending_loss", {progress.pending_loss.sum, progress.pending_loss.rows}},
                    {"update_seconds", progress.update_seconds},
                    {"geometry", geometry_json(geometry)}};
  formats::write_safetensors(path, tensors, {{kFormatKey, kFormat}, {"run", run.dump()}});
}

Checkpoint read_checkpoint(const std::string& path) {
  const formats::MappedFile file(path);
  const formats::SafetensorsHeader header = formats::parse_safetensors(file.data(), file.size(), path);
  const auto format = header.metadata.find(kFormatKey);
  const auto run_text = header.metadata.find("run");
  if (format == header.metadata.end() || format->second != kFormat || run_text == header.metadata.end())
    fail(path, ": not an embgeo-cuda checkpoint (its __metadata__ has no '", kFormatKey, "': '", kFormat, "')");
  Checkpoint c;
  try {
    const json run = json::parse(run_text->second);
    c.options = options_from(run.at("options"));
    run.at("vocabulary").get_to(c.vocabulary);
    run.at("corpus_fingerprint").get_to(c.corpus_fingerprint);
    TrainProgress& progress = c.resume.progress;
    run.at("step").get_to(progress.step);
    progress.log = log_from(run.at("log"));
    progress.pending_loss = {run.at("pending_loss").at(0), run.at("pending_loss").at(1)};
    run.at("update_seconds").get_to(progress.update_seconds);
    c.geometry = geometry_from(run.at("geometry"));
  } catch (const json::exception& e) {
    fail(path, ": damaged checkpoint metadata (", e.what(), ")");
  }
  if (c.resume.progress.step < 1 || c.resume.progress.log.empty())
    fail(path, ": damaged checkpoint (step ", c.resume.progress.step, ", ", c.resume.progress.log.size(), " log points)");

  BackendConfig config;
  config.shape = model_shape(c.options, static_cast<int>(c.vocabulary.size()));
  config.freeze_embedding = c.options.freeze_embedding;
  config.optimizer.kind = parse_optimizer(c.options.optimizer);
  const auto load = [&](Tensor t) {
    const std::size_t expected = parameter_shape(t, config.shape).elems();
    std::vector<float> values =
        formats::load_safetensors_tensor(file.data(), file.size(), header, stored_name(t), path).values;
    if (values.size() != expected)
      fail(path, ": tensor '", stored_name(t), "' has ", values.size(), " values, the run's shape needs ", expected);
    return values;
  };
  c.resume.params = Params{load(Tensor::kEmbedding), load(Tensor::kHeadWeight), load(Tensor::kHeadBias), {}};
  if (config.shape.pooling.has_table()) c.resume.params.position = load(Tensor::kPosition);
  for (const Tensor t : optimizer_tensors(config))
    if (!is_parameter(t)) c.resume.moments.emplace_back(t, load(t));
  return c;
}

}  // namespace embgeo

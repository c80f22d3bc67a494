// What `inspect FILE` and `params` print: a real embedding matrix summarized and queried (text or JSON), and
// what well-known tables cost. The CLI (host/cli/cmd_inspect.cpp) only parses their options.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "embgeo/cuda_backend.hpp"
#include "embgeo/error.hpp"
#include "inspect/inspect.hpp"
#include "plots/plots.hpp"
#include "train/device.hpp"
#include "util/atomic_file.hpp"
#include "util/json_text.hpp"
#include "util/split_list.hpp"
#include "util/text_table.hpp"

namespace embgeo {
namespace {

using nlohmann::json;

std::string show(const EmbeddingTable& t, int id) { return plots::display_label(t.tokens[id]) + " (#" + std::to_string(id) + ")"; }

std::string neighbors_text(const EmbeddingTable& t, const std::vector<metrics::Neighbor>& list) {
  std::string out;
  for (const metrics::Neighbor& n : list) out += "    " + show(t, n.id) + "  " + fixed(n.cosine, 4) + "\n";
  return out;
}

}  // namespace

int run_inspect(const InspectOptions& o, std::ostream& out) {
  if (o.k < 1 || o.k > 10000) fail("-k must be in [1, 10000], got ", o.k);
  if (!o.quantize.empty() && o.quantize != "int8") fail("--quantize supports int8, got '", o.quantize, "'");
  if (o.list) {
    TextTable listing({"tensor", "dtype", "shape"});
    json j = json::array();
    for (const TensorListing& t : list_tensors(o.file)) {
      std::string shape;
      for (std::int64_t d : t.shape) shape += (shape.empty() ? "" : "×") + std::to_string(d);
      listing.add({t.name, t.dtype, shape});
      j.push_back({{"name", t.name}, {"dtype", t.dtype}, {"shape", t.shape}});
    }
    out << (o.as_json ? json_text(j) : listing.text());
    return 0;
  }

  const Corpus corpus = o.corpus.path.empty() ? Corpus{} : read_yardstick_corpus(o.corpus);  // before the table: fails fast
  const auto load_start = std::chrono::steady_clock::now();
  const EmbeddingTable t = load_embedding_table(o.file, o.tensor, o.vocab);
  const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  // Resolve every token before any heavy work, so a typo fails fast.
  std::vector<int> token_ids, neighbor_ids, similarity_ids, analogy_ids, pca_ids;
  for (const std::string& s : o.tokens) token_ids.push_back(resolve_token(t, s));
  for (const std::string& s : o.neighbors) neighbor_ids.push_back(resolve_token(t, s));
  for (const std::string& s : o.similarity) similarity_ids.push_back(resolve_token(t, s));
  for (const std::string& s : o.analogy) analogy_ids.push_back(resolve_token(t, s));
  for (const std::string& s : split_list(o.pca, ','))
    if (!s.empty()) pca_ids.push_back(resolve_token(t, s));
  if (!o.pca.empty() && pca_ids.size() < 2) fail("--pca needs at least two tokens");
  for (std::size_t i = 0; i < pca_ids.size(); ++i)  // a repeated row makes a degenerate picture
    if (std::find(pca_ids.begin(), pca_ids.begin() + i, pca_ids[i]) != pca_ids.begin() + i)
      fail("--pca names row #", pca_ids[i], " more than once; the picture needs distinct rows");

  json j;
  std::ostringstream text;
  const TableSummary s = summarize_table(t);
  j["file"] = t.source;
  j["format"] = t.format;
  j["tensor"] = t.tensor;
  j["dtype"] = t.dtype;
  j["load_seconds"] = load_seconds;
  j["summary"] = {{"V", s.V}, {"D", s.D}, {"parameters", s.parameters}, {"bytes_fp32", s.bytes_fp32},
                  {"bytes_bf16", s.bytes_bf16}, {"bytes_int8", s.bytes_int8}, {"mean", s.mean}, {"std", s.stddev},
                  {"min", s.min}, {"max", s.max},
                  {"norm", {{"min", s.norms.min}, {"median", s.norms.median}, {"max", s.norms.max}, {"mean", s.norms.mean}}}};
  text << t.source << (t.tensor.empty() ? "" : " [" + t.tensor + "]") << ": " << t.format << ", " << t.dtype << ", V="
       << s.V << " D=" << s.D << " (" << s.parameters << " parameters; fp32 " << human_bytes(s.bytes_fp32) << ", bf16 "
       << human_bytes(s.bytes_bf16) << ", int8 " << human_bytes(s.bytes_int8) << "), loaded in " << fixed(load_seconds, 2) << " s\n"
       << "  values: mean " << fixed(s.mean, 5) << "  std " << fixed(s.stddev, 5) << "  min " << fixed(s.min, 4)
       << "  max " << fixed(s.max, 4) << "\n"
       << "  row norms: min " << fixed(s.norms.min, 4) << "  median " << fixed(s.norms.median, 4) << "  max "
       << fixed(s.norms.max, 4) << "\n";
  auto norm_list = [&](const char* title, const std::vector<RowNorm>& rows, const char* key) {
    text << "  " << title << ":";
    for (const RowNorm& r : rows) {
      text << "  " << show(t, r.id) << " " << fixed(r.norm, 3);
      j["summary"][key].push_back({{"token", t.tokens[r.id]}, {"id", r.id}, {"norm", r.norm}});
    }
    text << "\n";
  };
  norm_list("largest norms", s.largest, "largest_norms");
  norm_list("smallest norms", s.smallest, "smallest_norms");

  if (!o.corpus.path.empty()) {
    const CorpusYardstick y = corpus_yardstick(t, corpus, o.corpus.window, o.k);
    const std::int64_t dropped = y.measured - y.mapped;
    const double dropped_share = static_cast<double>(dropped) / static_cast<double>(y.measured);  // measured ≥ mapped ≥ 2
    text << "\ncorpus " << corpus.name << " (" << o.corpus.tokenizer << " tokens, window " << o.corpus.window << "): "
         << y.measured << " of its " << y.tokens << " tokens measured (before the tail --val-fraction "
         << o.corpus.val_fraction << " holds out, as in train)\n  " << y.mapped << " have a row, " << dropped
         << " without one dropped (" << fixed(100 * dropped_share, 2) << "%); "
         << y.distinct_mapped << " of " << y.distinct << " distinct tokens have a row\n"
         << "  geometry score " << fixed(y.geometry_score, 4) << "  successor score " << fixed(y.successor_score, 4)
         << "  (Spearman over pairs of the " << y.score_tokens << " most frequent tokens)\n";
    json frequent = json::array();
    for (const FrequentTokenNeighbors& f : y.frequent) {
      text << "  nearest to " << show(t, f.id) << ", count " << f.count << ":\n" << neighbors_text(t, f.neighbors);
      frequent.push_back({{"token", t.tokens[f.id]}, {"id", f.id}, {"count", f.count},
                          {"neighbors", neighbors_json(f.neighbors, t.tokens)}});
    }
    j["corpus"] = {{"file", corpus.name}, {"tokenizer", o.corpus.tokenizer}, {"window", o.corpus.window},
                   {"val_fraction", o.corpus.val_fraction}, {"tokens", y.tokens}, {"measured_tokens", y.measured},
                   {"mapped_tokens", y.mapped}, {"dropped_tokens", dropped},
                   {"dropped_fraction", dropped_share}, {"distinct_tokens", y.distinct},
                   {"distinct_mapped", y.distinct_mapped}, {"score_tokens", y.score_tokens},
                   {"geometry_score", y.geometry_score}, {"successor_score", y.successor_score},
                   {"frequent", frequent}};
  }

  for (int id : token_ids) {
    const TokenRow r = describe_row(t, id);
    json dims = json::array();
    text << "\ntoken " << show(t, id) << ": norm " << fixed(r.norm, 4) << "\n  first values:";
    for (float v : r.head) text << " " << fixed(v, 4);
    text << "\n  top dimensions:";
    for (const auto& [d, v] : r.top_dims) {
      text << " " << d << ":" << fixed(v, 3);
      dims.push_back({{"dim", d}, {"value", v}});
    }
    text << "\n";
    j["tokens"].push_back({{"token", t.tokens[id]}, {"id", id}, {"norm", r.norm}, {"first_values", r.head}, {"top_dims", dims}});
  }
  if (similarity_ids.size() == 2) {
    const double c = metrics::cosine(&t.values[static_cast<std::size_t>(similarity_ids[0]) * t.D],
                                     &t.values[static_cast<std::size_t>(similarity_ids[1]) * t.D], t.D);
    text << "\ncosine(" << show(t, similarity_ids[0]) << ", " << show(t, similarity_ids[1]) << ") = " << fixed(c, 4) << "\n";
    j["similarity"] = {{"a", t.tokens[similarity_ids[0]]}, {"b", t.tokens[similarity_ids[1]]}, {"cosine", c}};
  }

  const bool needs_index = !neighbor_ids.empty() || analogy_ids.size() == 3 || !o.quantize.empty();
  if (needs_index) {
    std::string notice;
    const DeviceChoice device = resolve_device(o.device, &notice);
    if (!notice.empty()) std::cerr << notice << "\n";
    const IndexMaker make_index = [&](const std::vector<float>& table) {
      return device.cuda ? make_cuda_neighbor_index(device.index, table, t.V, t.D) : make_cpu_neighbor_index(table, t.V, t.D);
    };
    const std::unique_ptr<NeighborIndex> index = make_index(t.values);
    auto row = [&](int id) {
      return std::vector<float>(t.values.begin() + static_cast<std::ptrdiff_t>(id) * t.D,
                                t.values.begin() + static_cast<std::ptrdiff_t>(id + 1) * t.D);
    };
    for (int id : neighbor_ids) {
      const auto start = std::chrono::steady_clock::now();
      const std::vector<metrics::Neighbor> found = index->query(row(id), o.k, {id});
      const double ms = 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      text << "\nnearest to " << show(t, id) << " (" << index->device() << ", " << fixed(ms, 2) << " ms):\n"
           << neighbors_text(t, found);
      j["neighbors"].push_back({{"query", t.tokens[id]}, {"device", index->device()}, {"milliseconds", ms},
                                {"neighbors", neighbors_json(found, t.tokens)}});
    }
    if (analogy_ids.size() == 3) {
      std::vector<float> target = row(analogy_ids[1]);
      const std::vector<float> a = row(analogy_ids[0]), c = row(analogy_ids[2]);
      for (int d = 0; d < t.D; ++d) target[d] = target[d] - a[d] + c[d];
      const std::vector<metrics::Neighbor> found = index->query(target, o.k, analogy_ids);
      text << "\n" << show(t, analogy_ids[1]) << " − " << show(t, analogy_ids[0]) << " + " << show(t, analogy_ids[2])
           << ":\n" << neighbors_text(t, found);
      j["analogy"] = {{"a", t.tokens[analogy_ids[0]]}, {"b", t.tokens[analogy_ids[1]]}, {"c", t.tokens[analogy_ids[2]]},
                      {"neighbors", neighbors_json(found, t.tokens)}};
    }
    if (!o.quantize.empty()) {
      // Queries spread evenly over the ids, so the neighbour check does not favour one region of the table.
      std::vector<int> queries;
      const int count = std::min(16, t.V);
      for (int i = 0; i < count; ++i) queries.push_back(static_cast<int>(static_cast<std::int64_t>(i) * t.V / count));
      for (bool per_row : {false, true}) {
        const QuantizationReport q = quantization_report(t, per_row, make_index, queries, std::min(o.k, t.V - 1 > 0 ? t.V - 1 : 1));
        text << "\n" << q.scheme << ": RMSE " << fixed(q.rmse, 6) << ", max |error| " << fixed(q.max_abs_error, 6)
             << ", relative error " << fixed(100 * q.relative_error, 3) << "%, top-" << q.k
             << " neighbour overlap with fp32 " << fixed(100 * q.neighbor_overlap, 1) << "% over " << q.queries << " queries\n";
        j["quantization"].push_back({{"scheme", q.scheme}, {"rmse", q.rmse}, {"max_abs_error", q.max_abs_error},
                                     {"relative_error", q.relative_error}, {"neighbor_overlap", q.neighbor_overlap},
                                     {"queries", q.queries}, {"k", q.k}});
      }
    }
  }
  if (!pca_ids.empty()) {
    std::vector<float> rows;
    std::vector<std::string> labels;
    for (int id : pca_ids) {
      rows.insert(rows.end(), t.values.begin() + static_cast<std::ptrdiff_t>(id) * t.D,
                  t.values.begin() + static_cast<std::ptrdiff_t>(id + 1) * t.D);
      labels.push_back(t.tokens[id]);
    }
    const metrics::Pca2 pca = metrics::pca_2d(rows, static_cast<int>(pca_ids.size()), t.D);
    make_directories(o.out_dir);
    const plots::PlotResult picture =
        plots::plot_scatter(o.out_dir, "pca", labels, pca.coords, pca.explained, "PCA of chosen rows: " + t.source);
    text << "\nPCA of " << pca_ids.size() << " rows: explained variance " << fixed(100 * pca.explained[0], 1) << "% + "
         << fixed(100 * pca.explained[1], 1) << "%; " << (picture.rendered ? "wrote " + picture.path : picture.note) << "\n";
    j["pca"] = {{"tokens", labels}, {"explained", {pca.explained[0], pca.explained[1]}}, {"coords", pca.coords},
                {"picture", picture.rendered ? picture.path : ""}};
  }
  out << (o.as_json ? json_text(j) : text.str());
  return 0;
}

int run_params(int V, int D, const std::string& preset, std::ostream& out) {
  TextTable table({"table", "V", "D", "parameters", "fp32", "bf16", "int8", "share of model"});
  auto add = [&](const std::string& name, int v, int d, std::int64_t total) {
    const double p = static_cast<double>(v) * d;
    table.add({name, std::to_string(v), std::to_string(d), std::to_string(static_cast<std::int64_t>(p)), human_bytes(4 * p),
               human_bytes(2 * p), human_bytes(p), total > 0 ? fixed(100.0 * p / static_cast<double>(total), 1) + "%" : "—"});
  };
  if (V > 0 || D > 0) {
    if (V < 1 || D < 1) fail("params needs both --vocab and --dim (positive), or --preset");
    add("custom", V, D, 0);
  }
  for (const ModelPreset& m : model_presets())
    if (preset.empty() || preset == "all" || preset == m.name) add(m.name, m.V, m.D, m.total_parameters);
  if (table.empty()) fail("unknown --preset '", preset, "' (gpt2, gpt2-xl, bert-base, llama-3.2-1b, gpt3 or all)");
  out << table.text();
  return 0;
}

}  // namespace embgeo

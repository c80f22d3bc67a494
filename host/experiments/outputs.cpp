// Experiment results on the console, in experiments.json (every number) and experiments.md (tables,
// verdicts, pictures).
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "experiments/experiments.hpp"
#include "plots/plots.hpp"
#include "util/atomic_file.hpp"
#include "util/json_text.hpp"
#include "util/text_table.hpp"

namespace embgeo {
namespace {

using nlohmann::json;

std::string cell(const MeanSpread& m, int precision) {
  if (!std::isfinite(m.mean)) return "—";
  return fixed(m.mean, precision) + " ± " + fixed(m.spread, precision);
}

// The word-order experiment adds the loss on shuffled windows beside the validation loss.
TextTable arms_table(const ExperimentResult& r) {
  const bool shuffled = std::any_of(r.arms.begin(), r.arms.end(), [](const Arm& a) {
    return !a.runs.empty() && std::isfinite(a.runs.front().shuffled_val_loss);
  });
  std::vector<std::string> header = {"arm", "D", "train loss", "val loss"};
  if (shuffled) header.push_back("val shuffled");
  header.insert(header.end(), {"geometry", "cos co-occ", "cos never", "|E| mean", "seconds"});
  TextTable t(header);
  for (const Arm& a : r.arms) {
    std::vector<std::string> cells = {a.name, std::to_string(a.dim), cell(a.stat(&RunStats::train_loss), 4),
                                      cell(a.stat(&RunStats::val_loss), 4)};
    if (shuffled) cells.push_back(cell(a.stat(&RunStats::shuffled_val_loss), 4));
    cells.insert(cells.end(), {cell(a.stat(&RunStats::geometry_score), 3), cell(a.stat(&RunStats::cooccurring_cosine), 3),
                               cell(a.stat(&RunStats::never_cosine), 3), cell(a.stat(&RunStats::norm_mean), 2),
                               cell(a.stat(&RunStats::seconds), 2)});
    t.add(cells);
  }
  return t;
}

TextTable predictions_table(const ExperimentResult& r) {
  TextTable t({"context", "next", "model on A ids", "model on B ids"});
  for (const SwapPrediction& p : r.predictions)
    t.add({plots::display_label(p.context), plots::display_label(p.expected), plots::display_label(p.predicted_a),
           plots::display_label(p.predicted_b)});
  return t;
}

// One row per query, one column per arm: the arm's nearest tokens, nearest first.
TextTable neighbors_table(const ExperimentResult& r) {
  std::vector<std::string> header = {"query"};
  for (const Arm& a : r.arms) header.push_back(a.name);
  TextTable t(header);
  for (const NeighborRow& row : r.neighbors) {
    std::vector<std::string> cells = {plots::display_label(row.query)};
    for (const std::vector<NamedNeighbor>& column : row.by_arm) {
      std::string names;
      for (const NamedNeighbor& n : column) names += (names.empty() ? "" : " ") + plots::display_label(n.token);
      cells.push_back(names);
    }
    t.add(cells);
  }
  return t;
}

const char* const kNeighborsCaption = "nearest neighbours (cosine, query left out) in each arm's final table, first seed";

json finite_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json results_json(const std::vector<ExperimentResult>& results, const ExperimentOptions& o) {
  json j;
  j["config"] = {{"seeds", o.seeds}, {"first_seed", o.base.seed}, {"dim", o.base.dim}, {"ctx", o.base.ctx},
                 {"pool", o.base.pool}, {"position", o.base.position}, {"position_mode", o.base.position_mode},
                 {"batch", o.base.batch}, {"steps", o.base.steps}, {"lr", o.base.lr}, {"optimizer", o.base.optimizer},
                 {"corpus", o.base.corpus_path.empty() ? "built-in toy corpus" : o.base.corpus_path},
                 {"device", o.base.device}};
  for (const ExperimentResult& r : results) {
    json e;
    for (const Arm& a : r.arms) {
      json runs = json::array();
      for (const RunStats& s : a.runs)
        runs.push_back({{"seed", s.seed}, {"train_loss", finite_or_null(s.train_loss)}, {"val_loss", s.val_loss},
                        {"geometry_score", finite_or_null(s.geometry_score)},
                        {"cooccurring_cosine", finite_or_null(s.cooccurring_cosine)},
                        {"never_cosine", finite_or_null(s.never_cosine)}, {"norm_mean", finite_or_null(s.norm_mean)},
                        {"seconds", finite_or_null(s.seconds)}, {"shuffled_val_loss", finite_or_null(s.shuffled_val_loss)}});
      json curve = json::array();
      for (const LogPoint& p : a.first_log) curve.push_back({{"step", p.step}, {"train_loss", p.train_loss}, {"val_loss", p.val_loss}});
      e["arms"].push_back({{"name", a.name}, {"objective", a.objective}, {"dim", a.dim}, {"runs", runs},
                           {"val_loss_mean", a.stat(&RunStats::val_loss).mean},
                           {"val_loss_spread", a.stat(&RunStats::val_loss).spread}, {"first_seed_curve", curve}});
    }
    e["verdicts"] = r.verdicts;
    e["notes"] = r.notes;
    for (const auto& [name, value] : r.facts) e["facts"][name] = value;
    for (const SwapPrediction& p : r.predictions)
      e["predictions"].push_back({{"context", p.context}, {"expected", p.expected}, {"predicted_with_a", p.predicted_a},
                                  {"predicted_with_b", p.predicted_b}});
    for (const NeighborRow& row : r.neighbors) {
      json by_arm;
      for (std::size_t a = 0; a < r.arms.size(); ++a) {
        by_arm[r.arms[a].name] = json::array();
        for (const NamedNeighbor& n : row.by_arm[a]) by_arm[r.arms[a].name].push_back({{"token", n.token}, {"cosine", n.cosine}});
      }
      e["neighbors"].push_back({{"query", row.query}, {"by_arm", by_arm}});
    }
    j["experiments"][r.name] = e;
  }
  return j;
}

std::vector<plots::PlotResult> experiment_pictures(const ExperimentResult& r, const std::string& dir) {
  std::vector<plots::PlotResult> pictures;
  std::vector<plots::Series> curves;
  for (const Arm& a : r.arms) {
    if (a.first_log.empty()) continue;
    plots::Series s{a.name + " (val)", {}, {}};
    for (const LogPoint& p : a.first_log) s.x.push_back(static_cast<double>(p.step)), s.y.push_back(p.val_loss);
    curves.push_back(std::move(s));
  }
  if (curves.size() > 1)
    pictures.push_back(plots::plot_lines(dir, r.name + "_loss", curves, r.name + ": validation loss (first seed)",
                                         "step", "validation loss", false, false));
  // Baseline and the first broken arm that trained (D=2 for tiny-dim), each on its own PCA basis, first seed.
  std::vector<const Arm*> candidates;
  for (std::size_t i = 1; i < r.arms.size(); ++i) candidates.push_back(&r.arms[i]);
  std::stable_partition(candidates.begin(), candidates.end(), [](const Arm* a) { return a->dim == 2; });
  for (const Arm* candidate : candidates) {
    const Arm &base = r.arms.front(), &broken = *candidate;
    if (broken.first_log.empty() || broken.first_geometry.drawn.size() != base.first_geometry.drawn.size()) continue;
    std::vector<std::string> labels;
    for (int id : base.first_geometry.drawn) labels.push_back(base.tokens[id]);
    std::vector<std::string> broken_labels;
    for (int id : broken.first_geometry.drawn) broken_labels.push_back(broken.tokens[id]);
    if (broken_labels != labels) continue;  // a relabelled vocabulary draws other symbols in id order
    pictures.push_back(plots::plot_pca_pair(dir, r.name + "_pca", labels, base.first_geometry.pca_after.coords,
                                            base.first_geometry.pca_after.explained, broken.first_geometry.pca_after.coords,
                                            broken.first_geometry.pca_after.explained,
                                            r.name + ": baseline (left) vs " + broken.name + " (right), after training",
                                            {"baseline", broken.name}));
    break;
  }
  if (r.name == "objectives") {
    std::vector<plots::Series> scores;
    for (const Arm& a : r.arms) {
      plots::Series s{a.name, {}, {}};
      for (const GeometryPoint& p : a.first_geometry.points)
        s.x.push_back(static_cast<double>(p.step)), s.y.push_back(p.geometry_score);
      scores.push_back(std::move(s));
    }
    pictures.push_back(plots::plot_lines(dir, "objectives_geometry", scores,
                                         "geometry score while training, by objective (first seed)", "step",
                                         "geometry score", false, false));
  }
  if (r.name == "word-order") {
    // Each arm's loss on ordered and on shuffled windows, arms along x in table order.
    plots::Series ordered{"windows in order", {}, {}}, shuffled{"windows shuffled", {}, {}};
    for (std::size_t a = 0; a < r.arms.size(); ++a) {
      ordered.x.push_back(static_cast<double>(a)), ordered.y.push_back(r.arms[a].stat(&RunStats::val_loss).mean);
      shuffled.x.push_back(static_cast<double>(a)), shuffled.y.push_back(r.arms[a].stat(&RunStats::shuffled_val_loss).mean);
    }
    std::string arms;
    for (std::size_t a = 0; a < r.arms.size(); ++a) arms += (a ? ", " : "") + std::to_string(a) + " " + r.arms[a].name;
    pictures.push_back(plots::plot_lines(dir, "word_order_shuffle", {ordered, shuffled},
                                         "validation loss, windows in order and shuffled (mean over seeds)",
                                         "arm (" + arms + ")", "validation loss", false, false));
  }
  if (r.name == "tiny-dim" && r.arms.size() > 2) {
    plots::Series s{"validation loss", {}, {}};
    std::vector<const Arm*> by_dim;
    for (const Arm& a : r.arms) by_dim.push_back(&a);
    std::sort(by_dim.begin(), by_dim.end(), [](const Arm* a, const Arm* b) { return a->dim < b->dim; });
    for (const Arm* a : by_dim) s.x.push_back(a->dim), s.y.push_back(a->stat(&RunStats::val_loss).mean);
    pictures.push_back(plots::plot_lines(dir, "loss_vs_dim", {s}, "validation loss against embedding dimension",
                                         "D (embedding parameters = V·D)", "validation loss", true, false));
  }
  return pictures;
}

}  // namespace

void print_experiment_results(const std::vector<ExperimentResult>& results, std::ostream& console) {
  for (const ExperimentResult& r : results) {
    console << "\n== " << r.name << " ==\n" << arms_table(r).text();
    if (!r.predictions.empty()) console << "\ngreedy next-symbol predictions (first seed)\n" << predictions_table(r).text();
    if (!r.neighbors.empty()) console << "\n" << kNeighborsCaption << "\n" << neighbors_table(r).text();
    for (const std::string& v : r.verdicts) console << "* " << v << "\n";
    for (const std::string& n : r.notes) console << "  " << n << "\n";
  }
}

void write_experiment_outputs(const std::vector<ExperimentResult>& results, const ExperimentOptions& options,
                              const std::string& dir, std::ostream& console) {
  make_directories(dir);
  write_file_atomically(dir + "/experiments.json", json_text(results_json(results, options)));
  std::ostringstream md;
  md << "# embgeo-cuda experiments\n\n"
     << options.seeds << " seed(s) from " << options.base.seed << "; D=" << options.base.dim << " C=" << options.base.ctx
     << " B=" << options.base.batch << ", " << options.base.optimizer << " lr " << options.base.lr << ", "
     << options.base.steps << " steps; corpus: "
     << (options.base.corpus_path.empty() ? "built-in toy corpus" : options.base.corpus_path)
     << ". Values are mean ± sample standard deviation over seeds; every verdict is computed from them.\n";
  std::string note;
  for (const ExperimentResult& r : results) {
    md << "\n## " << r.name << "\n\n" << arms_table(r).markdown() << "\n";
    for (const std::string& v : r.verdicts) md << "- " << v << "\n";
    for (const std::string& n : r.notes) md << "- " << n << "\n";
    if (!r.predictions.empty()) md << "\n" << predictions_table(r).markdown();
    if (!r.neighbors.empty()) md << "\n" << kNeighborsCaption << ":\n\n" << neighbors_table(r).markdown();
    for (const plots::PlotResult& p : experiment_pictures(r, dir)) {
      const std::string file = p.path.substr(p.path.find_last_of('/') + 1);
      if (p.rendered)
        md << "\n![" << file << "](" << file << ")\n";
      else if (note.empty())
        note = p.note;
    }
  }
  write_file_atomically(dir + "/experiments.md", md.str());
  console << "wrote " << dir << "/experiments.json and experiments.md\n";
  if (!note.empty()) console << note << "\n";
}

}  // namespace embgeo

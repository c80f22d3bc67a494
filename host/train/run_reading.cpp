// Reading a finished run: the before/after tables, plain-language sentences on what changed (loss, geometry
// scores, pair cosines, norms, PCA, neighbours), and the markdown run report.
#include "train/run_reading.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <sstream>

namespace embgeo {
namespace {

std::string label(const Vocabulary& vocab, int id) { return plots::display_label(vocab.tokens[id]); }

std::string neighbor_cell(const std::vector<metrics::Neighbor>& list, const Vocabulary& vocab) {
  std::string out;
  for (const metrics::Neighbor& n : list) out += (out.empty() ? "" : ", ") + label(vocab, n.id) + " " + fixed(n.cosine, 2);
  return out;
}

std::string percent(double fraction) { return fixed(100.0 * fraction, 0) + "%"; }

// "rose"/"fell"/"stayed" with a dead band, so noise is not narrated as change.
std::string direction(double from, double to, double dead_band) {
  if (to > from + dead_band) return "rose";
  if (to < from - dead_band) return "fell";
  return "stayed about the same";
}

// A loss for a sentence: three decimals, or scientific once a diverged run makes that unreadable.
std::string loss_text(double loss) {
  if (std::isfinite(loss) && std::fabs(loss) < 1e4) return fixed(loss, 3);
  std::ostringstream out;
  out.precision(2);
  out << loss;
  return out.str();
}

// Both losses ended higher than they started (or not finite): nothing the run did is learning.
bool diverged(const GeometryPoint& first, const GeometryPoint& last) {
  return !std::isfinite(last.val_loss) || !std::isfinite(last.train_loss) ||
         (last.val_loss > first.val_loss + 0.01 && last.train_loss > first.train_loss + 0.01);
}

// What the validation loss did over the run, checked before anything else is claimed about it.
std::string loss_sentence(const GeometryPoint& first, const GeometryPoint& last, double uniform) {
  const std::string uniform_text = "uniform guess ln V = " + fixed(uniform, 3);
  if (!std::isfinite(last.val_loss) || !std::isfinite(last.train_loss))
    return "The loss is not a finite number at the end (train " + loss_text(last.train_loss) + ", validation " +
           loss_text(last.val_loss) + "): training diverged; lower --lr.";
  if (last.val_loss < first.val_loss - 0.01) {
    std::string s = "Validation loss fell from " + loss_text(first.val_loss) + " to " + loss_text(last.val_loss) +
                    " (a uniform guess scores ln V = " + fixed(uniform, 3) + ")";
    return s + (last.val_loss < uniform ? ", " + percent(1.0 - last.val_loss / uniform) + " below the uniform guess."
                                        : ", but it is still no better than a uniform guess.");
  }
  if (diverged(first, last))
    return "Validation loss rose from " + loss_text(first.val_loss) + " to " + loss_text(last.val_loss) +
           " and the training loss with it (" + loss_text(first.train_loss) + " → " + loss_text(last.train_loss) +
           "; " + uniform_text + "): training diverged; lower --lr.";
  return "Validation loss did not improve (" + loss_text(first.val_loss) + " → " + loss_text(last.val_loss) + "; " +
         uniform_text + ").";
}

}  // namespace

std::vector<PairGroupMean> pair_group_means(const GeometryReport& g) {
  std::vector<PairGroupMean> means;
  for (const PairCosine& p : g.pairs) {
    if (means.empty() || means.back().group != p.group) means.push_back({p.group, 0, 0, 0});
    PairGroupMean& m = means.back();
    m.before += (p.before - m.before) / (m.count + 1);
    m.after += (p.after - m.after) / (m.count + 1);
    ++m.count;
  }
  return means;
}

std::vector<std::pair<std::string, TextTable>> geometry_tables(const RunOutcome& run) {
  const GeometryReport& g = run.geometry;
  const Vocabulary& vocab = run.corpus.vocab;
  const GeometryPoint &first = g.points.front(), &last = g.points.back();
  std::vector<std::pair<std::string, TextTable>> tables;

  TextTable overview({"measure", "before", "after", "delta"});
  auto row = [&](const std::string& name, double before, double after, int precision) {
    overview.add({name, fixed(before, precision), fixed(after, precision), signed_fixed(after - before, precision)});
  };
  row("validation loss", first.val_loss, last.val_loss, 4);
  row("geometry score (Spearman)", first.geometry_score, last.geometry_score, 3);
  row("successor score (Spearman)", first.successor_score, last.successor_score, 3);
  row("row norm mean", first.norms.mean, last.norms.mean, 3);
  row("row norm std", first.norms.stddev, last.norms.stddev, 3);
  row("PCA top-2 explained", g.pca_before.explained[0] + g.pca_before.explained[1],
      g.pca_after.explained[0] + g.pca_after.explained[1], 3);
  for (const PairGroupMean& m : pair_group_means(g))
    row("mean cosine, " + m.group + " pairs", m.before, m.after, 3);
  tables.emplace_back("Before and after training", std::move(overview));

  TextTable pairs({"group", "pair", "co-occurrences", "cos before", "cos after", "delta"});
  for (const PairCosine& p : g.pairs)
    pairs.add({p.group, label(vocab, p.a) + " : " + label(vocab, p.b), std::to_string(p.cooccurrences),
               fixed(p.before, 3), fixed(p.after, 3), signed_fixed(p.after - p.before, 3)});
  if (!pairs.empty())
    tables.emplace_back("Token pairs (co-occurrence within " + std::to_string(g.window) + " positions)", std::move(pairs));

  TextTable neighbors({"token", "nearest before", "nearest after"});
  for (const NeighborLists& n : g.neighbors)
    neighbors.add({label(vocab, n.query), neighbor_cell(n.before, vocab), neighbor_cell(n.after, vocab)});
  if (!neighbors.empty()) tables.emplace_back("Nearest neighbours by cosine (query left out)", std::move(neighbors));
  return tables;
}

std::vector<std::string> run_reading(const RunOutcome& run) {
  const GeometryReport& g = run.geometry;
  const GeometryPoint &first = g.points.front(), &last = g.points.back();
  const double uniform = std::log(static_cast<double>(run.shape.V));
  std::vector<std::string> lines;

  lines.push_back(loss_sentence(first, last, uniform));
  const auto best = std::min_element(g.points.begin(), g.points.end(),
                                     [](const GeometryPoint& a, const GeometryPoint& b) { return a.val_loss < b.val_loss; });
  // Overfitting is claimed only when the training loss did keep falling after the best validation step.
  if (best->val_loss < last.val_loss * 0.98 && last.train_loss < best->train_loss)
    lines.push_back("Validation loss was lowest at step " + std::to_string(best->step) + " (" + loss_text(best->val_loss) +
                    ") and rose afterwards while the training loss kept falling (" + loss_text(best->train_loss) +
                    " → " + loss_text(last.train_loss) + "): the model overfits the training text.");
  else if (best->val_loss < last.val_loss * 0.98 && best != g.points.begin())
    lines.push_back("Validation loss was lowest at step " + std::to_string(best->step) + " (" + loss_text(best->val_loss) +
                    ") and rose afterwards together with the training loss (" + loss_text(best->train_loss) + " → " +
                    loss_text(last.train_loss) + "): training became unstable; lower --lr.");

  const double score_change = last.geometry_score - first.geometry_score;
  std::string geometry = "The geometry score — the rank correlation between embedding cosine and how similar two tokens' "
                         "contexts are in the corpus — " + direction(first.geometry_score, last.geometry_score, 0.1) +
                         " (" + fixed(first.geometry_score, 3) + " → " + fixed(last.geometry_score, 3) + ")";
  // Claim structure only when the final level is substantial, not just when it moved.
  if (score_change > 0.1 && last.geometry_score > 0.3)
    geometry += ": tokens used in similar contexts now have similar embedding rows.";
  else if (score_change > 0.1)
    geometry += ", but it stays weak (0 means no alignment with the corpus' context statistics, 1 perfect).";
  else if (score_change < -0.1)
    geometry += ": the table moved away from the corpus' distributional structure.";
  else
    geometry += ": the objective did not shape the table along distributional lines.";
  lines.push_back(geometry);

  const double successor_change = last.successor_score - first.successor_score;
  std::string successor = "The successor score — the same correlation against how alike the tokens that follow two tokens "
                          "within C positions are, the targets each row helps predict here — " +
                          direction(first.successor_score, last.successor_score, 0.1) + " (" +
                          fixed(first.successor_score, 3) + " → " + fixed(last.successor_score, 3) + ")";
  successor += successor_change > 0.1 && last.successor_score > 0.3
                   ? ": tokens that predict the same continuations now sit together."
                   : ".";
  lines.push_back(successor);

  const std::vector<PairGroupMean> means = pair_group_means(g);
  if (means.size() >= 2 && means[0].group == "co-occurring" && means[1].group == "never") {
    const double co = means[0].after - means[0].before, never = means[1].after - means[1].before;
    std::string s = "Mean cosine of the co-occurring pairs moved " + signed_fixed(co, 3) + ", of the never-co-occurring pairs " +
                    signed_fixed(never, 3);
    s += co > never + 0.05 ? ": pairs that share contexts were pulled together relative to pairs that never do."
         : never > co + 0.05 ? ": pairs that never share a context ended closer than those that do."
                             : ": the two groups moved alike.";
    lines.push_back(s);
  }

  lines.push_back("Mean row norm " + direction(first.norms.mean, last.norms.mean, 0.02 * first.norms.mean) + " (" +
                  fixed(first.norms.mean, 2) + " ± " + fixed(first.norms.stddev, 2) + " → " + fixed(last.norms.mean, 2) +
                  " ± " + fixed(last.norms.stddev, 2) + ").");

  const double e0 = g.pca_before.explained[0] + g.pca_before.explained[1];
  const double e1 = g.pca_after.explained[0] + g.pca_after.explained[1];
  std::string pca = "The top two principal components hold " + percent(e0) + " of the drawn rows' variance before and " +
                    percent(e1) + " after";
  pca += e1 > e0 + 0.05 && !diverged(first, last) ? ": variance concentrated in fewer directions as structure formed."
                                                   : ".";
  lines.push_back(pca);

  int changed = 0;
  for (const NeighborLists& n : g.neighbors)
    changed += !n.before.empty() && !n.after.empty() && n.before.front().id != n.after.front().id;
  if (!g.neighbors.empty())
    lines.push_back("The nearest neighbour changed for " + std::to_string(changed) + " of " +
                    std::to_string(g.neighbors.size()) + " query tokens.");
  if (run.result.final.embedding == run.result.initial.embedding)
    lines.push_back("The embedding table is bit-identical before and after: it received no updates.");
  return lines;
}

std::string run_report_markdown(const RunOptions& options, const RunOutcome& run,
                                const std::vector<plots::PlotResult>& pictures) {
  const ModelShape& s = run.shape;
  std::ostringstream md;
  md << "# embgeo-cuda run report\n\n"
     << "## Configuration\n\n"
     << "| setting | value |\n|---|---|\n"
     << "| corpus | " << run.corpus.name << " (" << run.corpus.ids.size() << " tokens) |\n"
     << "| tokenizer | " << (options.tokens_path.empty() ? options.tokenizer : "llm.c tokens") << " |\n"
     << "| model | " << options.objective << ", " << options.loss << ", " << pooling_description(s.pooling) << ", V=" << s.V
     << " D=" << s.D << " C=" << s.C << " B=" << s.B
     << " (window of " << options.ctx << ") |\n"
     << "| optimizer | " << options.optimizer << ", lr " << options.lr << ", " << options.steps << " steps |\n"
     << "| embedding | " << (options.freeze_embedding ? "frozen" : "trained") << " |\n"
     << "| seed | " << options.seed << " |\n"
     << "| device | " << run.device << " |\n"
     << "| time | " << fixed(run.result.total_seconds, 2) << " s (" << fixed(run.result.steps_per_second, 0)
     << " steps/s) |\n\n";
  md << "## Reading\n\n";
  for (const std::string& line : run_reading(run)) md << "- " << line << "\n";
  md << "\n";
  for (const auto& [title, table] : geometry_tables(run)) md << "## " << title << "\n\n" << table.markdown() << "\n";
  md << "## Pictures\n\n";
  for (const plots::PlotResult& p : pictures) {
    const std::string file = p.path.substr(p.path.find_last_of('/') + 1);
    md << (p.rendered ? "![" + file + "](" + file + ")\n\n" : "- " + file + ": " + p.note + "\n\n");
  }
  md << "## Files\n\n"
     << "`summary.json` and `metrics.jsonl` hold every number above. The tables before and after training are in "
        "`embedding_before.safetensors` / `embedding_after.safetensors` (PyTorch), `embedding.npy` (NumPy), "
        "`vectors.vec` (gensim/fastText), `vectors.tsv` + `metadata.tsv` (TensorBoard projector) and `vocab.txt`.\n";
  return md.str();
}

void print_geometry_tables(const RunOutcome& run, std::ostream& console) {
  for (const auto& [title, table] : geometry_tables(run)) console << "\n" << title << "\n" << table.text();
  console << "\n";
  for (const std::string& line : run_reading(run)) console << "* " << line << "\n";
}

}  // namespace embgeo

// The experiments (freeze-embedding, permute-ids, tiny-dim, tokenizer-swap, objectives, word-order): each trains a baseline
// and variants over several seeds and states verdicts, notes and facts about what changed.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>

#include "embgeo/error.hpp"
#include "experiments/experiments.hpp"
#include "metrics/metrics.hpp"
#include "plots/plots.hpp"
#include "train/device.hpp"
#include "util/text_table.hpp"

namespace embgeo {
namespace {

const std::vector<std::string> kExperiments = {"freeze-embedding", "permute-ids", "tiny-dim", "tokenizer-swap",
                                               "objectives", "word-order"};

RunStats stats_of(const RunOutcome& run, std::uint64_t seed) {
  const GeometryPoint& last = run.geometry.points.back();
  return {seed, last.train_loss, last.val_loss, last.geometry_score, last.cooccurring_mean_cosine,
          last.never_mean_cosine, last.norms.mean, run.result.total_seconds};
}

// A hook factory gets the seed and returns the hooks of that seed's run (a permutation depends on both).
using HooksFor = std::function<RunHooks(std::uint64_t seed)>;

struct ArmRun {
  Arm arm;
  std::vector<RunOutcome> outcomes;  // kept when a caller needs more than the stats (checks, predictions)
};

ArmRun run_arm(const std::string& name, RunOptions options, int seeds, const HooksFor& hooks, std::ostream& console) {
  ArmRun result;
  result.arm.name = name;
  result.arm.objective = options.objective;
  result.arm.dim = options.dim;
  options.quiet = true;
  const std::uint64_t first_seed = options.seed;
  for (int k = 0; k < seeds; ++k) {
    options.seed = first_seed + static_cast<std::uint64_t>(k);
    RunOutcome run = run_training(options, console, hooks ? hooks(options.seed) : RunHooks{});
    result.arm.runs.push_back(stats_of(run, options.seed));
    if (k == 0) {
      result.arm.first_log = run.result.log;
      result.arm.first_geometry = run.geometry;
      result.arm.tokens = run.corpus.vocab.tokens;
    }
    result.outcomes.push_back(std::move(run));
  }
  console << "  " << name << ": " << seeds << " run(s), val loss " << fixed(result.arm.stat(&RunStats::val_loss).mean, 4)
          << "\n";
  return result;
}

std::string verdict_line(const std::string& label, const Arm& base, const Arm& variant, double RunStats::*field,
                         int seeds) {
  return compare_verdict(label, base.stat(field), variant.stat(field), seeds);
}

// ---- the experiments ------------------------------------------------------------------------------------

ExperimentResult freeze_embedding(const ExperimentOptions& o, const ArmRun& baseline, std::ostream& console) {
  RunOptions frozen = o.base;
  frozen.freeze_embedding = true;
  ArmRun variant = run_arm("frozen embedding", frozen, o.seeds, nullptr, console);
  ExperimentResult r{"freeze-embedding", {baseline.arm, variant.arm}, {}, {}, {}, {}, {}};
  r.verdicts.push_back(verdict_line("frozen embedding, validation loss", baseline.arm, variant.arm, &RunStats::val_loss, o.seeds));
  r.verdicts.push_back(verdict_line("frozen embedding, geometry score", baseline.arm, variant.arm, &RunStats::geometry_score, o.seeds));
  bool identical = true;
  for (const RunOutcome& run : variant.outcomes) identical = identical && run.result.final.embedding == run.result.initial.embedding;
  r.notes.push_back(std::string("frozen rows after training are ") + (identical ? "bit-identical" : "NOT identical") +
                    " to their initial values in every seed (no scatter-add ran, no optimizer state was kept)");
  r.facts.emplace_back("frozen_rows_bit_identical", identical ? 1.0 : 0.0);
  return r;
}

ExperimentResult permute_ids(const ExperimentOptions& o, const ArmRun& baseline, std::ostream& console) {
  // The permutation depends on the vocabulary size, known once the corpus is loaded, so the corpus hook
  // draws it and the parameter hook reuses it.
  auto permuted = [](bool permute_initial_rows) -> HooksFor {
    return [permute_initial_rows](std::uint64_t seed) {
      auto perm = std::make_shared<std::vector<int>>();
      RunHooks hooks;
      hooks.corpus = [perm, seed](Corpus& c) {
        *perm = random_permutation(c.vocab.size(), seed ^ 0x5eedULL);
        permute_corpus(c, *perm);
      };
      if (permute_initial_rows)
        hooks.params = [perm](Params& p) { permute_params(p, *perm, static_cast<int>(p.embedding.size() / perm->size())); };
      return hooks;
    };
  };
  ArmRun exact = run_arm("permuted ids, rows permuted alike", o.base, o.seeds, permuted(true), console);
  ArmRun fresh = run_arm("permuted ids, fresh init", o.base, o.seeds, permuted(false), console);
  ExperimentResult r{"permute-ids", {baseline.arm, exact.arm, fresh.arm}, {}, {}, {}, {}, {}};
  r.verdicts.push_back(verdict_line("permuted ids (fresh init), validation loss", baseline.arm, fresh.arm, &RunStats::val_loss, o.seeds));
  r.verdicts.push_back(verdict_line("permuted ids (fresh init), geometry score", baseline.arm, fresh.arm, &RunStats::geometry_score, o.seeds));

  // Exact relabelling: the same run up to the permutation. Measure how far from exact it is.
  double max_loss_gap = 0, max_row_gap = 0;
  int same_symbols = 0, same_ids = 0, lists = 0;
  for (std::size_t k = 0; k < exact.outcomes.size(); ++k) {
    const RunOutcome &b = baseline.outcomes[k], &p = exact.outcomes[k];
    for (std::size_t i = 0; i < b.result.log.size(); ++i)
      max_loss_gap = std::max(max_loss_gap, std::fabs(b.result.log[i].val_loss - p.result.log[i].val_loss));
    const int V = b.shape.V, D = b.shape.D;
    const std::vector<int> perm = random_permutation(V, (o.base.seed + k) ^ 0x5eedULL);  // as the hook drew it
    for (int id = 0; id < V; ++id)
      for (int d = 0; d < D; ++d)
        max_row_gap = std::max(max_row_gap, static_cast<double>(std::fabs(
                                                b.result.final.embedding[static_cast<std::size_t>(id) * D + d] -
                                                p.result.final.embedding[static_cast<std::size_t>(perm[id]) * D + d])));
    // Neighbours by symbol: the ids differ, the symbols they stand for should not.
    std::map<std::string, const NeighborLists*> by_query;
    for (const NeighborLists& n : p.geometry.neighbors) by_query[p.corpus.vocab.tokens[n.query]] = &n;
    for (const NeighborLists& n : b.geometry.neighbors) {
      const auto it = by_query.find(b.corpus.vocab.tokens[n.query]);
      if (it == by_query.end()) continue;
      std::vector<std::string> base_symbols, perm_symbols;
      std::vector<int> base_ids, perm_ids;
      for (const metrics::Neighbor& x : n.after) base_symbols.push_back(b.corpus.vocab.tokens[x.id]), base_ids.push_back(x.id);
      for (const metrics::Neighbor& x : it->second->after) perm_symbols.push_back(p.corpus.vocab.tokens[x.id]), perm_ids.push_back(x.id);
      ++lists;
      same_symbols += base_symbols == perm_symbols;
      same_ids += base_ids == perm_ids;
    }
  }
  r.facts = {{"exact_relabel_max_val_loss_gap", max_loss_gap}, {"exact_relabel_max_embedding_gap", max_row_gap},
             {"neighbor_lists_compared", lists}, {"neighbor_lists_same_symbols", same_symbols},
             {"neighbor_lists_same_ids", same_ids}};
  r.notes.push_back("with the initial rows permuted alike, the permuted run is the baseline relabelled: validation losses "
                    "differ by at most " + scientific(max_loss_gap) + " and embedding rows by at most " +
                    scientific(max_row_gap) + " (float summation order)");
  r.notes.push_back("nearest-neighbour lists: " + std::to_string(same_symbols) + " of " + std::to_string(lists) +
                    " name the same symbols, " + std::to_string(same_ids) + " of " + std::to_string(lists) +
                    " the same ids: loss and geometry are invariant, the ids are arbitrary labels");
  r.notes.push_back("(the automatic pair sets break frequency ties by id, so their 'never' pairs can differ between the two "
                    "labellings; the neighbour lists above are compared symbol by symbol)");
  return r;
}

ExperimentResult tiny_dim(const ExperimentOptions& o, const ArmRun& baseline, std::ostream& console) {
  ExperimentResult r{"tiny-dim", {baseline.arm}, {}, {}, {}, {}, {}};
  const int V = baseline.outcomes.front().shape.V;
  r.facts.emplace_back("params_D" + std::to_string(o.base.dim), static_cast<double>(V) * o.base.dim);
  for (int dim : o.dims.empty() ? std::vector<int>{2} : o.dims) {
    if (dim == o.base.dim) continue;
    RunOptions small = o.base;
    small.dim = dim;
    ArmRun variant = run_arm("D=" + std::to_string(dim), small, o.seeds, nullptr, console);
    r.verdicts.push_back(verdict_line("D=" + std::to_string(dim) + " (" + std::to_string(V * dim) +
                                          " embedding parameters vs " + std::to_string(V * o.base.dim) + "), validation loss",
                                      baseline.arm, variant.arm, &RunStats::val_loss, o.seeds));
    r.facts.emplace_back("params_D" + std::to_string(dim), static_cast<double>(V) * dim);
    r.arms.push_back(std::move(variant.arm));
  }
  return r;
}

// argmax of the head for each row of `x` (rows×C ids) under the backend's current parameters.
std::vector<int> greedy_predictions(Backend& backend, const std::vector<std::int32_t>& x, int rows) {
  backend.write_ids(Tensor::kX, x, rows);
  backend.gather_pool_forward();
  backend.head_forward();
  const std::vector<float> logits = backend.read(Tensor::kLogits);
  const int V = backend.config().shape.V;
  std::vector<int> best(rows);
  for (int b = 0; b < rows; ++b) {
    const auto row = logits.begin() + static_cast<std::ptrdiff_t>(b) * V;
    best[b] = static_cast<int>(std::max_element(row, row + V) - row);
  }
  return best;
}

// A fresh backend holding a run's final parameters, with `ids` as its corpus: the evaluations after training.
std::unique_ptr<Backend> evaluation_backend(const RunOptions& options, const RunOutcome& run,
                                            const std::vector<std::int32_t>& ids) {
  std::unique_ptr<Backend> backend =
      make_backend(resolve_device(options.device, nullptr), backend_config(options, run.shape));
  backend->load_params(run.result.final);
  backend->load_corpus(ids);
  return backend;
}

// The held-out windows the trainer's validation loss scores.
std::int64_t validation_windows(const RunOutcome& run, int ctx) {
  return std::min(run.corpus.val_windows(ctx), TrainConfig{}.max_eval_windows);
}

ExperimentResult tokenizer_swap(const ExperimentOptions& o, const ArmRun& baseline) {
  ExperimentResult r{"tokenizer-swap", {baseline.arm}, {}, {}, {}, {}, {}};
  Arm swapped;
  swapped.name = "evaluated with tokenizer B";
  swapped.objective = o.base.objective;
  swapped.dim = o.base.dim;
  for (std::size_t k = 0; k < baseline.outcomes.size(); ++k) {
    const RunOutcome& run = baseline.outcomes[k];
    const std::vector<int> a_to_b = frequency_order_ids(run.corpus);
    std::vector<std::int32_t> b_ids(run.corpus.ids.size());
    for (std::size_t i = 0; i < b_ids.size(); ++i) b_ids[i] = a_to_b[run.corpus.ids[i]];
    const std::unique_ptr<Backend> backend = evaluation_backend(o.base, run, b_ids);
    const WindowLayout layout = backend->config().layout();
    const std::int64_t windows = validation_windows(run, o.base.ctx);
    RunStats s;
    s.seed = baseline.arm.runs[k].seed;
    s.val_loss = evaluate_loss(*backend, run.corpus.val_begin(), windows);
    s.train_loss = s.geometry_score = s.cooccurring_cosine = s.never_cosine = s.norm_mean = s.seconds = NAN;
    swapped.runs.push_back(s);
    if (k != 0) continue;

    int remapped = 0;
    for (int a = 0; a < run.shape.V; ++a) remapped += a_to_b[a] != a;
    r.facts.emplace_back("ids_remapped", remapped);
    r.notes.push_back("tokenizer A numbers symbols in sorted order, tokenizer B by descending frequency: " +
                      std::to_string(remapped) + " of " + std::to_string(run.shape.V) + " symbols get another id");
    std::vector<std::string> b_vocab(run.shape.V);
    for (int a = 0; a < run.shape.V; ++a) b_vocab[a_to_b[a]] = run.corpus.vocab.tokens[a];
    // A few evenly spaced validation windows, predicted greedily from A ids and from B ids.
    const int C = run.shape.C, rows = static_cast<int>(std::min<std::int64_t>({6, windows, run.shape.B}));
    std::vector<std::int32_t> xa, xb;
    std::vector<std::int64_t> starts;
    for (int i = 0; i < rows; ++i) {
      const std::int64_t w = run.corpus.val_begin() + i * (windows / rows);
      starts.push_back(w);
      for (int c = 0; c < C; ++c)
        xa.push_back(run.corpus.ids[w + layout.context_offset(c)]), xb.push_back(b_ids[w + layout.context_offset(c)]);
    }
    const std::vector<int> pa = greedy_predictions(*backend, xa, rows), pb = greedy_predictions(*backend, xb, rows);
    for (int i = 0; i < rows; ++i) {
      SwapPrediction p;
      for (int c = 0; c < C; ++c) p.context += run.corpus.vocab.tokens[xa[static_cast<std::size_t>(i) * C + c]];
      p.expected = run.corpus.vocab.tokens[run.corpus.ids[starts[i] + layout.target_offset(evaluation_pair(starts[i], layout))]];
      p.predicted_a = run.corpus.vocab.tokens[pa[i]];
      p.predicted_b = b_vocab[pb[i]];
      r.predictions.push_back(p);
    }
  }
  r.verdicts.push_back(verdict_line("evaluated with tokenizer B, validation loss", baseline.arm, swapped, &RunStats::val_loss,
                                    o.seeds));
  r.arms.push_back(std::move(swapped));
  return r;
}

// The neighbour queries of the objectives experiment: the tokens of --neighbors, else the `count` most frequent
// tokens that hold a letter or digit (any non-ASCII byte counts as one), so a word corpus shows words rather
// than "." and "," and a character corpus letters rather than the space.
std::vector<int> neighbor_queries(const Corpus& corpus, const GeometryOptions& geometry, int count) {
  std::vector<int> queries;
  for (const std::string& t : geometry.neighbor_tokens) queries.push_back(token_id(corpus.vocab.tokens, t));
  if (!queries.empty()) return queries;
  const std::vector<int> rank_of = frequency_order_ids(corpus);
  std::vector<int> by_frequency(rank_of.size());
  for (std::size_t id = 0; id < rank_of.size(); ++id) by_frequency[rank_of[id]] = static_cast<int>(id);
  for (int id : by_frequency) {
    const std::string& t = corpus.vocab.tokens[id];
    if (std::any_of(t.begin(), t.end(), [](unsigned char c) { return std::isalnum(c) || c >= 0x80; }))
      queries.push_back(id);
    if (static_cast<int>(queries.size()) == count) break;
  }
  return queries;
}

// Refused before any training: the objectives experiment sets the objective of each arm itself, its cbow
// and skipgram arms need a window they can split, and skipgram pools one id (no concat, no position table).
void check_objectives_options(const RunOptions& base) {
  if (base.objective != "next")
    fail("experiment objectives trains next (its baseline), cbow and skipgram itself; drop --objective ",
         base.objective, " or name another experiment");
  for (const Objective objective : {Objective::kCbow, Objective::kSkipgram}) {
    try {
      validate_window_layout({objective, base.ctx});
      validate_pooling(pooling_of(base), objective);
    } catch (const Error& e) {
      fail("experiment objectives: ", e.what());
    }
  }
}

ExperimentResult objectives(const ExperimentOptions& o, const ArmRun& baseline, std::ostream& console) {
  // The baseline trained `next` (check_objectives_options), so it is the first arm.
  Arm next = baseline.arm;
  next.name = "next";
  std::vector<ArmRun> variants;
  for (const char* objective : {"cbow", "skipgram"}) {
    RunOptions options = o.base;
    options.objective = objective;
    variants.push_back(run_arm(objective, options, o.seeds, nullptr, console));
  }
  ExperimentResult r{"objectives", {next, variants[0].arm, variants[1].arm}, {}, {}, {}, {}, {}};
  for (const ArmRun& v : variants)
    r.verdicts.push_back(verdict_line(v.arm.name + " against next, geometry score", next, v.arm,
                                      &RunStats::geometry_score, o.seeds));
  const RunOutcome& first = baseline.outcomes.front();
  r.notes.push_back("validation losses are each objective's own cross-entropy, so no verdict compares them across "
                    "objectives: next predicts the id after its " + std::to_string(o.base.ctx) +
                    " ids, cbow the centre of the same window from " + std::to_string(o.base.ctx / 2) +
                    " ids on each side (one target per window over the same vocabulary, conditioned on other ids), "
                    "skipgram one id of the window from the centre alone (a uniform guess scores ln V = " +
                    fixed(std::log(static_cast<double>(first.shape.V)), 4) + " on each)");

  // Neighbours in each arm's first-seed table; the corpus, and so every id, is the same in all three.
  const std::vector<const RunOutcome*> tables = {&first, &variants[0].outcomes.front(), &variants[1].outcomes.front()};
  for (int q : neighbor_queries(first.corpus, o.base.geometry, 5)) {
    NeighborRow row{first.corpus.vocab.tokens[q], {}};
    for (const RunOutcome* run : tables) {
      const std::vector<float>& E = run->result.final.embedding;  // V×D
      const int V = run->shape.V, D = run->shape.D;
      std::vector<NamedNeighbor> column;
      for (const metrics::Neighbor& n :
           metrics::nearest_neighbors(E, V, D, &E[static_cast<std::size_t>(q) * D], o.base.geometry.k, {q}))
        column.push_back({run->corpus.vocab.tokens[n.id], n.cosine});
      row.by_arm.push_back(std::move(column));
    }
    r.neighbors.push_back(std::move(row));
  }
  r.facts.emplace_back("neighbor_queries", static_cast<double>(r.neighbors.size()));
  std::string overlap = "neighbours (first seed) that next's list for the same query names too:";
  for (std::size_t a = 1; a < r.arms.size(); ++a) {
    std::size_t shared = 0, listed = 0;
    for (const NeighborRow& row : r.neighbors) {
      const std::vector<NamedNeighbor>& base = row.by_arm[0];
      listed += base.size();
      for (const NamedNeighbor& n : row.by_arm[a])
        shared += std::any_of(base.begin(), base.end(), [&](const NamedNeighbor& m) { return m.token == n.token; });
    }
    r.facts.emplace_back(r.arms[a].name + "_neighbors_shared_with_next", static_cast<double>(shared));
    overlap += std::string(a > 1 ? "," : "") + " " + r.arms[a].name + " " + std::to_string(shared) + " of " +
               std::to_string(listed);
  }
  r.notes.push_back(overlap);
  return r;
}

// Refused before any training: word-order sets each arm's pooling itself, and skip-gram pools one id (no order).
void check_word_order_options(const RunOptions& base) {
  if (base.pool != "mean" || base.position != "none")
    fail("experiment word-order trains the mean-pool (its baseline), position tables and concat itself; drop --pool "
         "and --position or name another experiment");
  if (base.objective == "skipgram")
    fail("experiment word-order needs a context to shuffle; --objective skipgram pools one id");
}

// Validation loss of a run's final parameters on the held-out windows as they are and with each window's
// context shuffled (by shuffle_seed), both on the same windows (the trainer's validation windows) through a
// fresh backend.
void measure_order(const RunOptions& options, const RunOutcome& run, std::uint64_t shuffle_seed, RunStats& stats) {
  const std::unique_ptr<Backend> backend = evaluation_backend(options, run, run.corpus.ids);
  const std::int64_t windows = validation_windows(run, options.ctx);
  stats.val_loss = evaluate_loss(*backend, run.corpus.val_begin(), windows);
  const int C = run.shape.C;
  stats.shuffled_val_loss = evaluate_loss(*backend, run.corpus.val_begin(), windows,
                                          [&](std::vector<std::int32_t>& x, std::int64_t first_window) {
                                            shuffle_contexts(x, C, first_window, shuffle_seed);
                                          });
}

ExperimentResult word_order(const ExperimentOptions& o, const ArmRun& baseline, std::ostream& console) {
  struct Variant {
    const char* name;
    const char* pool;
    const char* position;
    const char* mode;
  };
  const Variant variants[] = {{"mean + learned P", "mean", "learned", "add"},
                              {"mean + sinusoidal P", "mean", "sinusoidal", "add"},
                              {"mean * learned P", "mean", "learned", "multiply"},
                              {"concat", "concat", "none", "add"}};
  ExperimentResult r{"word-order", {}, {}, {}, {}, {}, {}};
  std::vector<std::pair<RunOptions, ArmRun>> arms = {{o.base, baseline}};
  arms.front().second.arm.name = "mean";
  for (const Variant& v : variants) {
    RunOptions options = o.base;
    options.pool = v.pool;
    options.position = v.position;
    options.position_mode = v.mode;
    arms.emplace_back(options, run_arm(v.name, options, o.seeds, nullptr, console));
  }
  for (auto& [options, arm] : arms) {
    for (std::size_t k = 0; k < arm.outcomes.size(); ++k) measure_order(options, arm.outcomes[k], o.base.seed, arm.arm.runs[k]);
    const OrderVerdict verdict = order_verdict(arm.arm);
    r.verdicts.push_back(verdict.sentence);
    r.facts.emplace_back(arm.arm.name + " uses order", verdict.uses_order ? 1.0 : 0.0);
    r.arms.push_back(arm.arm);
  }
  for (std::size_t a = 1; a < r.arms.size(); ++a)
    r.verdicts.push_back(verdict_line(r.arms[a].name + " against the plain mean, validation loss", r.arms[0], r.arms[a],
                                      &RunStats::val_loss, o.seeds));
  r.notes.push_back("mean_c(E[x_c] + P[c]) = mean_c E[x_c] + mean_c P[c]: an added table shifts every window's pooled "
                    "vector by the same constant, which the head's bias absorbs, so it cannot make the mean-pool "
                    "order-aware; multiplying P into each slot, or concatenating the slots (H = C·D), can");
  r.notes.push_back("the shuffle permutes each validation window's " + std::to_string(o.base.ctx) +
                    " context ids at random (the same permutation for every arm and seed) and keeps its target");
  return r;
}

}  // namespace

std::vector<std::string> experiment_names(const std::string& which) {
  if (which == "all") return kExperiments;
  if (std::find(kExperiments.begin(), kExperiments.end(), which) == kExperiments.end())
    fail("unknown experiment '", which,
         "' (choose freeze-embedding, permute-ids, tiny-dim, tokenizer-swap, objectives, word-order or all)");
  return {which};
}

std::vector<ExperimentResult> run_experiments(const std::vector<std::string>& names, const ExperimentOptions& o,
                                              std::ostream& console) {
  if (o.seeds < 1 || o.seeds > 100) fail("--seeds must be in [1, 100], got ", o.seeds);
  for (int d : o.dims)
    check_dimension("--dims values", d, kMaxDim);
  check_run_options(o.base);
  if (std::find(names.begin(), names.end(), "objectives") != names.end()) check_objectives_options(o.base);
  if (std::find(names.begin(), names.end(), "word-order") != names.end()) check_word_order_options(o.base);
  console << "baseline: " << o.seeds << " seed(s) from " << o.base.seed << ", D=" << o.base.dim << ", "
          << o.base.steps << " steps\n";
  const ArmRun baseline = run_arm("baseline", o.base, o.seeds, nullptr, console);
  std::vector<ExperimentResult> results;
  for (const std::string& name : names) {
    console << name << ":\n";
    if (name == "freeze-embedding") results.push_back(freeze_embedding(o, baseline, console));
    if (name == "permute-ids") results.push_back(permute_ids(o, baseline, console));
    if (name == "tiny-dim") results.push_back(tiny_dim(o, baseline, console));
    if (name == "tokenizer-swap") results.push_back(tokenizer_swap(o, baseline));
    if (name == "objectives") results.push_back(objectives(o, baseline, console));
    if (name == "word-order") results.push_back(word_order(o, baseline, console));
  }
  return results;
}

}  // namespace embgeo

#pragma once
// Experiments: a baseline and variants trained under identical settings (same corpus, same batches, K seeds),
// compared side by side with verdicts computed from the measurements. Four break something:
//
//   freeze-embedding  the embedding gets no gradient and no optimizer state; only the head learns
//   permute-ids       token ids relabelled by a fixed random permutation (with the initial rows permuted the
//                     same way: an exact relabelling; and with a fresh initialization: a statistical one)
//   tiny-dim          the same run at D=2, or a sweep over --dims
//   tokenizer-swap    train with tokenizer A, evaluate with tokenizer B (same symbols, other ids)
// and one changes what is learned:
//   objectives        next (the baseline), cbow and skipgram on the same corpus and window (--ctx): geometry
//                     scores, and the nearest neighbours of the most frequent words side by side
//   word-order        the mean-pool (the baseline), with a learned or sinusoidal table added, with a learned
//                     table multiplied, and concat pooling: validation loss on the windows as they are and with
//                     each window's context order shuffled; an arm whose loss the shuffle raises uses order
#include <cmath>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "train/run.hpp"

namespace embgeo {

struct ExperimentOptions {
  RunOptions base;         // the baseline's settings; base.seed is the first seed
  int seeds = 3;
  std::vector<int> dims;   // tiny-dim sweep; empty: D=2 only
};

// The numbers one run contributes to an arm.
struct RunStats {
  std::uint64_t seed = 0;
  double train_loss = 0, val_loss = 0, geometry_score = 0;
  double cooccurring_cosine = 0, never_cosine = 0, norm_mean = 0, seconds = 0;
  double shuffled_val_loss = NAN;  // word-order: the validation windows with their context order shuffled
};

struct MeanSpread {
  double mean = 0;
  double spread = 0;  // sample standard deviation over seeds (0 for one seed)
};
MeanSpread mean_spread(const std::vector<double>& values);

struct Arm {
  std::string name;
  std::string objective;              // what the arm trained (--objective)
  int dim = 0;
  std::vector<RunStats> runs;         // one per seed
  std::vector<LogPoint> first_log;    // loss curve of the first seed
  GeometryReport first_geometry;      // geometry of the first seed
  std::vector<std::string> tokens;    // vocabulary of the first seed's run, for labels
  MeanSpread stat(double RunStats::*field) const;
};

// "variant val loss 1.93× baseline (2.41 ± 0.03 vs 1.25 ± 0.02)" with "within noise" when the difference is
// below twice its standard error; `lower_is_better` picks the wording of the direction.
std::string compare_verdict(const std::string& what, const MeanSpread& baseline, const MeanSpread& variant, int seeds);

// Whether an arm uses word order, from its runs' validation losses on ordered and on shuffled windows (paired by
// seed): the shuffle must raise the loss by more than twice the standard error of the mean rise, and by more
// than kOrderGapFloor nats (a mean-pool's shuffled sums differ from the ordered ones only by float rounding).
struct OrderVerdict {
  bool uses_order = false;
  std::string sentence;
};
constexpr double kOrderGapFloor = 1e-3;
OrderVerdict order_verdict(const Arm& arm);

// One greedy prediction shown by tokenizer-swap.
struct SwapPrediction {
  std::string context;          // decoded with tokenizer A
  std::string expected;         // the true next symbol
  std::string predicted_a;      // model fed A ids, output decoded with A
  std::string predicted_b;      // model fed B ids, output decoded with B (what a B user sees)
};

// One query of the objectives experiment: its nearest tokens (cosine, the query left out) in each arm's final
// table, first seed.
struct NamedNeighbor {
  std::string token;
  double cosine = 0;
};
struct NeighborRow {
  std::string query;
  std::vector<std::vector<NamedNeighbor>> by_arm;  // ExperimentResult::arms order; nearest first
};

struct ExperimentResult {
  std::string name;
  std::vector<Arm> arms;                  // arms[0] is the baseline
  std::vector<std::string> verdicts;      // computed from the numbers
  std::vector<std::string> notes;         // extra measured facts (permutation checks, swap table, ...)
  std::vector<SwapPrediction> predictions;
  std::vector<std::pair<std::string, double>> facts;  // named numbers for experiments.json
  std::vector<NeighborRow> neighbors;     // objectives: the side-by-side neighbour table
};

// Known names: the five above. Error on an unknown name.
std::vector<std::string> experiment_names(const std::string& which);  // "all" expands

std::vector<ExperimentResult> run_experiments(const std::vector<std::string>& names, const ExperimentOptions& options,
                                              std::ostream& console);

// The side-by-side tables, verdicts and notes on the console.
void print_experiment_results(const std::vector<ExperimentResult>& results, std::ostream& console);

// experiments.json, experiments.md and their pictures.
void write_experiment_outputs(const std::vector<ExperimentResult>& results, const ExperimentOptions& options,
                              const std::string& dir, std::ostream& console);

// ---- mechanics, exposed for tests ---------------------------------------------------------------------
std::vector<int> random_permutation(int V, std::uint64_t seed);               // perm[old id] = new id
void permute_corpus(Corpus& corpus, const std::vector<int>& perm);            // ids and vocabulary relabelled
void permute_params(Params& params, const std::vector<int>& perm, int D);     // rows of E, W and b moved alike
// Tokenizer B of tokenizer-swap: the same symbols, ids by descending frequency (ties by A id); map[a] = b.
std::vector<int> frequency_order_ids(const Corpus& corpus);
// word-order's shuffle: each row of x (rows, C), window first_window + row, permuted by random_permutation(C, ·)
// of the seed and the window, so every arm and seed sees the same shuffled windows.
void shuffle_contexts(std::vector<std::int32_t>& x, int C, std::int64_t first_window, std::uint64_t seed);

}  // namespace embgeo

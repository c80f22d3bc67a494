#pragma once
// Watching the geometry form: a recorder that measures the embedding table at every log point of a run
// (norms, geometry score, pair cosines, the rows drawn in the pictures) and, at the end, compares the table
// before and after training (pairs, neighbours, cosine matrices, PCA).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "data/corpus.hpp"
#include "embgeo/params.hpp"
#include "metrics/metrics.hpp"
#include "train/trainer.hpp"

namespace embgeo {

struct GeometryOptions {
  int pairs_per_group = 5;                                      // co-occurring and never-co-occurring pairs
  std::vector<std::pair<std::string, std::string>> user_pairs;  // --pairs a:b,c:d (token texts)
  std::vector<std::string> neighbor_tokens;                     // --neighbors; empty: the most frequent tokens
  int neighbor_queries = 6;
  int k = 5;                                                    // neighbours per query
  int max_drawn_tokens = 64;                                    // rows in the PCA and trajectory pictures
  int max_cosine_matrix_vocab = 256;                            // full V×V cosine matrix up to this V
  int max_score_tokens = 2000;                                  // geometry score over the most frequent tokens
};

struct GeometryPoint {
  std::int64_t step = 0;
  double train_loss = 0, val_loss = 0;
  metrics::Summary norms;
  double geometry_score = 0;   // vs context-count similarity (within C positions)
  double successor_score = 0;  // vs next-token (successor) count similarity
  double cooccurring_mean_cosine = 0, never_mean_cosine = 0;
  std::vector<double> pair_cosines;  // cooccurring, then never, then user pairs (GeometryReport::pairs order)
  std::vector<float> drawn_rows;     // the drawn tokens' rows (drawn.size()×D), for the trajectory
};

struct PairCosine {
  std::string group;  // "co-occurring", "never", "user"
  int a = 0, b = 0;
  std::int64_t cooccurrences = 0;
  double before = 0, after = 0;
};

struct NeighborLists {
  int query = 0;
  std::vector<metrics::Neighbor> before, after;
};

struct GeometryReport {
  std::vector<GeometryPoint> points;     // one per log point, step 0 first
  std::vector<PairCosine> pairs;
  std::vector<NeighborLists> neighbors;
  std::vector<int> drawn;                // ids drawn in PCA / trajectory pictures
  metrics::Pca2 pca_before, pca_after;   // each fit on its own table's drawn rows
  std::vector<double> trajectory_basis_coords;  // per point: drawn×2 on the final table's basis, concatenated
  std::vector<float> cosine_before, cosine_after;  // V×V, only when V ≤ max_cosine_matrix_vocab
  int window = 0;                        // co-occurrence window (= --ctx)
};

class GeometryRecorder {
 public:
  // Co-occurrence is counted on the training part of the corpus within `window` (--ctx) positions, whatever
  // the objective. Unknown tokens in user_pairs / neighbor_tokens are a one-line Error (raised here, before
  // training).
  GeometryRecorder(const Corpus& corpus, const ModelShape& shape, int window, const GeometryOptions& options);

  // Called at each log point with the current embedding table E (V×D).
  void observe(const LogPoint& point, const std::vector<float>& embedding);

  GeometryReport finish(const Params& initial, const Params& final) const;

  const GeometryPoint& last() const { return points_.back(); }  // requires one observe() first
  const std::vector<GeometryPoint>& points() const { return points_; }
  // A resumed run starts from the points its checkpoint kept.
  void restore(std::vector<GeometryPoint> points) { points_ = std::move(points); }

 private:
  ModelShape shape_;
  int window_;
  GeometryOptions options_;
  metrics::Cooccurrence cooccurrence_;
  metrics::Cooccurrence successors_;
  std::vector<PairCosine> pairs_;
  std::vector<int> queries_;
  std::vector<int> drawn_;
  std::vector<GeometryPoint> points_;
};

}  // namespace embgeo

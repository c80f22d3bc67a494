// GeometryRecorder: picks the pairs, neighbour queries and drawn tokens from the training text, measures the
// embedding at every logged step, and builds the before/after geometry report.
#include "train/geometry.hpp"

#include <algorithm>
#include <new>

#include "embgeo/error.hpp"

namespace embgeo {
namespace {

double mean_of(const std::vector<double>& values, std::size_t begin, std::size_t end) {
  if (begin >= end) return 0;
  double sum = 0;
  for (std::size_t i = begin; i < end; ++i) sum += values[i];
  return sum / static_cast<double>(end - begin);
}

std::vector<float> gather_rows(const std::vector<float>& table, const std::vector<int>& ids, int D) {
  std::vector<float> rows;
  rows.reserve(ids.size() * D);
  for (int id : ids) rows.insert(rows.end(), table.begin() + static_cast<std::ptrdiff_t>(id) * D,
                                 table.begin() + static_cast<std::ptrdiff_t>(id + 1) * D);
  return rows;
}

}  // namespace

GeometryRecorder::GeometryRecorder(const Corpus& corpus, const ModelShape& shape, int window,
                                   const GeometryOptions& options)
    : shape_(shape), window_(window), options_(options) {
  const std::vector<std::int32_t> train_ids(corpus.ids.begin(), corpus.ids.begin() + corpus.train_tokens);
  try {
    cooccurrence_ = metrics::count_cooccurrence(train_ids, shape.V, window);
    successors_ = metrics::count_successors(train_ids, shape.V, window);
  } catch (const std::bad_alloc&) {
    fail("out of host memory counting the tokens within --ctx ", window, " positions of each other in the ",
         train_ids.size(), " training tokens of ", corpus.name);
  }
  const metrics::PairSets sets = metrics::choose_pairs(cooccurrence_, options.pairs_per_group);
  for (const metrics::TokenPair& p : sets.cooccurring) pairs_.push_back({"co-occurring", p.a, p.b, p.cooccurrences});
  for (const metrics::TokenPair& p : sets.never) pairs_.push_back({"never", p.a, p.b, p.cooccurrences});
  for (const auto& [a, b] : options.user_pairs) {
    const int ia = token_id(corpus.vocab.tokens, a), ib = token_id(corpus.vocab.tokens, b);
    pairs_.push_back({"user", ia, ib, cooccurrence_.count(ia, ib)});
  }

  const std::vector<int> by_frequency = metrics::tokens_by_frequency(cooccurrence_);
  if (options.neighbor_tokens.empty()) {
    queries_.assign(by_frequency.begin(),
                    by_frequency.begin() + std::min<std::size_t>(by_frequency.size(), options.neighbor_queries));
  } else {
    for (const std::string& t : options.neighbor_tokens) queries_.push_back(token_id(corpus.vocab.tokens, t));
  }
  // Small vocabularies are drawn whole, in id order; large ones by their most frequent tokens.
  if (shape.V <= options.max_drawn_tokens) {
    for (int id = 0; id < shape.V; ++id) drawn_.push_back(id);
  } else {
    drawn_.assign(by_frequency.begin(),
                  by_frequency.begin() + std::min<std::size_t>(by_frequency.size(), options.max_drawn_tokens));
    if (drawn_.empty()) drawn_.push_back(0);
  }
}

void GeometryRecorder::observe(const LogPoint& point, const std::vector<float>& embedding) {
  const int V = shape_.V, D = shape_.D;
  GeometryPoint g;
  g.step = point.step;
  g.train_loss = point.train_loss;
  g.val_loss = point.val_loss;
  g.norms = metrics::summarize(metrics::row_norms(embedding, V, D));
  g.geometry_score = metrics::geometry_score(embedding, V, D, cooccurrence_, options_.max_score_tokens);
  g.successor_score = metrics::geometry_score(embedding, V, D, successors_, options_.max_score_tokens);
  std::size_t cooccurring = 0, never = 0;
  for (const PairCosine& p : pairs_) {
    g.pair_cosines.push_back(metrics::cosine(&embedding[static_cast<std::size_t>(p.a) * D],
                                             &embedding[static_cast<std::size_t>(p.b) * D], D));
    cooccurring += p.group == "co-occurring";
    never += p.group == "never";
  }
  g.cooccurring_mean_cosine = mean_of(g.pair_cosines, 0, cooccurring);
  g.never_mean_cosine = mean_of(g.pair_cosines, cooccurring, cooccurring + never);
  g.drawn_rows = gather_rows(embedding, drawn_, D);
  points_.push_back(std::move(g));
}

GeometryReport GeometryRecorder::finish(const Params& initial, const Params& final) const {
  const int V = shape_.V, D = shape_.D;
  const std::vector<float>& before = initial.embedding;
  const std::vector<float>& after = final.embedding;
  GeometryReport r;
  r.points = points_;
  r.window = window_;
  r.drawn = drawn_;
  r.pairs = pairs_;
  for (PairCosine& p : r.pairs) {
    p.before = metrics::cosine(&before[static_cast<std::size_t>(p.a) * D], &before[static_cast<std::size_t>(p.b) * D], D);
    p.after = metrics::cosine(&after[static_cast<std::size_t>(p.a) * D], &after[static_cast<std::size_t>(p.b) * D], D);
  }
  for (int q : queries_) {
    NeighborLists lists;
    lists.query = q;
    lists.before = metrics::nearest_neighbors(before, V, D, &before[static_cast<std::size_t>(q) * D], options_.k, {q});
    lists.after = metrics::nearest_neighbors(after, V, D, &after[static_cast<std::size_t>(q) * D], options_.k, {q});
    r.neighbors.push_back(std::move(lists));
  }
  const int N = static_cast<int>(drawn_.size());
  r.pca_before = metrics::pca_2d(gather_rows(before, drawn_, D), N, D);
  r.pca_after = metrics::pca_2d(gather_rows(after, drawn_, D), N, D);
  // The trajectory uses the final table's basis for every frame, so motion in the picture is real motion.
  for (const GeometryPoint& p : points_) {
    const std::vector<double> coords = metrics::project_2d(r.pca_after, p.drawn_rows, N, D);
    r.trajectory_basis_coords.insert(r.trajectory_basis_coords.end(), coords.begin(), coords.end());
  }
  if (V <= options_.max_cosine_matrix_vocab) {
    r.cosine_before = metrics::cosine_matrix(before, V, D);
    r.cosine_after = metrics::cosine_matrix(after, V, D);
  }
  return r;
}

}  // namespace embgeo

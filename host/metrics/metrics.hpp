#pragma once
// Geometry evidence: numbers that show whether an embedding table E (V×D) has gone from random to
// structured. Plain CPU code with double accumulation; nothing here touches the GPU.
//
// Letters: V vocabulary, D embedding dim, N rows handed to PCA, M tokens a score is taken over.
// Every table is row-major std::vector<float>. Bad sizes, ids or k throw embgeo::Error (one line), and so do
// NaN/Inf inputs: a metric over a diverged table would be silently meaningless.
//
// API (namespace embgeo::metrics):
//   void check_matrix(const std::vector<float>& values, int rows, int cols, const char* what);
//   struct Summary { double mean, stddev, min, median, max; };
//   Summary summarize(std::vector<double> values);
//   std::vector<double> row_norms(const std::vector<float>& table, int V, int D);                  // V
//   double dot(const float* a, const float* b, int D);
//   double cosine_from_dot(double dot, double norm_a, double norm_b);
//   double cosine(const float* a, const float* b, int D);
//   std::vector<float> cosine_matrix(const std::vector<float>& table, int V, int D);               // V×V
//   struct ContextCount { int id; std::int64_t count; };
//   struct Cooccurrence { int V, window; frequency (V); rows (V, sparse); std::int64_t count(int a, int b) const; };
//   Cooccurrence count_cooccurrence(const std::vector<std::int32_t>& ids, int V, int window);
//   Cooccurrence count_successors(const std::vector<std::int32_t>& ids, int V, int window);
//   std::vector<int> tokens_by_frequency(const Cooccurrence& co);
//   struct TokenPair { int a, b; std::int64_t cooccurrences; };
//   struct PairSets { std::vector<TokenPair> cooccurring, never; };
//   PairSets choose_pairs(const Cooccurrence& co, int k);
//   double spearman(const std::vector<double>& x, const std::vector<double>& y);
//   double geometry_score(const std::vector<float>& table, int V, int D, const Cooccurrence& co,
//                         int max_tokens = 2000);
//   struct Neighbor { int id; double cosine; };
//   std::vector<Neighbor> nearest_neighbors(const std::vector<float>& table, int V, int D, const float* query,
//                                           int k, const std::vector<int>& exclude);
//   std::vector<char> neighbor_query_mask(int V, int D, const float* query, int k, const std::vector<int>& exclude);
//   std::vector<Neighbor> top_k_neighbors(const std::vector<double>& cosines, const std::vector<char>& skip, int k);
//   std::vector<Neighbor> analogy(const std::vector<float>& table, int V, int D, int a, int b, int c, int k);
//   struct Pca2 { mean (D); components (2×D); coords (N×2); double explained[2]; };
//   Pca2 pca_2d(const std::vector<float>& rows, int N, int D);
//   std::vector<double> project_2d(const Pca2& basis, const std::vector<float>& rows, int N, int D);  // N×2
#include <cstdint>
#include <vector>

#include "embgeo/neighbor_index.hpp"
#include "embgeo/tensor_checks.hpp"

namespace embgeo::metrics {

// check_matrix (embgeo/tensor_checks.hpp) and Neighbor (embgeo/neighbor_index.hpp) are core types the
// backends share; metrics code names them as its own.
using embgeo::check_matrix;
using embgeo::Neighbor;

// ---- Distributions -------------------------------------------------------------------------------------

struct Summary {
  double mean = 0, stddev = 0, min = 0, median = 0, max = 0;
};

// Population stddev (divide by n); the median of an even count is the mean of the two middle values.
// Throws on an empty or non-finite input.
Summary summarize(std::vector<double> values);

// L2 norm of each row of E (V×D) → V.
std::vector<double> row_norms(const std::vector<float>& table, int V, int D);

// ---- Cosines -------------------------------------------------------------------------------------------

// a·b over D floats, accumulated in double.
double dot(const float* a, const float* b, int D);

// dot / (norm_a·norm_b), clamped to [-1, 1]; 0 when either norm is 0 (a zero vector points nowhere).
double cosine_from_dot(double dot, double norm_a, double norm_b);

// Cosine of two D-vectors; 0 when either is zero.
double cosine(const float* a, const float* b, int D);

// All pairwise row cosines of E (V×D) → V×V, symmetric, diagonal 1 (0 for a zero row). Quadratic memory:
// refuses V above kMaxCosineMatrixVocab rather than running the machine out of memory.
constexpr int kMaxCosineMatrixVocab = 16384;  // 16384² floats = 1 GiB
std::vector<float> cosine_matrix(const std::vector<float>& table, int V, int D);

// ---- Co-occurrence in the token stream -------------------------------------------------------------------

struct ContextCount {
  int id = 0;
  std::int64_t count = 0;
};

// counts[a][b] = how many times b appears within `window` positions before or after an occurrence of a.
// Symmetric. Two positions holding the same id count too, so counts[a][a] can be non-zero.
// Sparse: row a lists only non-zero counts, sorted by id, so V≈50k costs memory per distinct pair only.
struct Cooccurrence {
  int V = 0;
  int window = 0;
  std::vector<std::int64_t> frequency;           // V: occurrences of each id in the stream
  std::vector<std::vector<ContextCount>> rows;   // V rows, each sorted by id, counts > 0

  std::int64_t count(int a, int b) const;        // binary search in row a; throws on ids outside [0, V)
};

// O(len(ids)·window + V) time, memory O(V + distinct pairs); ~1.5 s for 3M Zipf tokens over V=50k, window 5.
// Requires window ≥ 1 and every id in [0, V).
Cooccurrence count_cooccurrence(const std::vector<std::int32_t>& ids, int V, int window);

// Successor counts: row a counts the tokens 1..window positions after each occurrence of a (directional).
// With window = C these are the targets a token's row helps predict in this model (a token at context slot
// c predicts the token C − c positions later), so two tokens with similar rows are pushed alike.
Cooccurrence count_successors(const std::vector<std::int32_t>& ids, int V, int window);

// Ids that occur at least once, most frequent first, ties by lower id.
std::vector<int> tokens_by_frequency(const Cooccurrence& co);

// ---- Pairs for the before/after table ------------------------------------------------------------------

struct TokenPair {
  int a = 0, b = 0;  // a < b
  std::int64_t cooccurrences = 0;
};

struct PairSets {
  std::vector<TokenPair> cooccurring;  // the k largest counts (a<b), count desc, ties by (a, b)
  std::vector<TokenPair> never;        // k pairs of occurring tokens with count 0, most frequent tokens first
};

// `never` walks tokens_by_frequency(): rank r is paired with ranks 0..r-1 before rank r+1 is tried, so the
// pairs come from the smallest set of frequent tokens that holds k of them. Fewer than k when not enough exist.
PairSets choose_pairs(const Cooccurrence& co, int k);

// ---- Geometry score ------------------------------------------------------------------------------------

// Spearman rank correlation (tied values share their average rank) of two equal-length samples. 0 when there
// are fewer than two values or either sample is constant: no ordering, no evidence either way.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// Spearman correlation, over pairs of tokens, between embedding cosine and the cosine of the tokens'
// context-count vectors (rows of co). Pairs are taken among the M = min(max_tokens, occurring tokens) most
// frequent tokens (tokens_by_frequency); tokens that never occur are skipped. Near 0 for a random table,
// towards 1 as the embedding learns distributional structure. Cost O(M²·D + Σ_columns m_c²), m_c = how
// many of the M tokens have context column c: ~5 s at V=50k with the default cap (3M Zipf tokens, D=64).
// Memory grows as M² (Gram matrix and one cosine per pair), so max_tokens above kMaxGeometryTokens is refused.
constexpr int kMaxGeometryTokens = 10000;  // 10000² doubles = 0.8 GB for the Gram matrix alone
double geometry_score(const std::vector<float>& table, int V, int D, const Cooccurrence& co,
                      int max_tokens = 2000);

// ---- Neighbours and analogies --------------------------------------------------------------------------

// The k rows of E (V×D) most cosine-similar to `query` (D floats), cosine desc, ties by lower id, skipping the
// ids in `exclude` (the query word itself). Returns fewer than k when fewer rows remain. O(V·D).
std::vector<Neighbor> nearest_neighbors(const std::vector<float>& table, int V, int D, const float* query,
                                        int k, const std::vector<int>& exclude);

// The two halves of every neighbour search (this reference and the BLAS-backed index of inspect):
// checking a query (finite values, k ≥ 0, excluded ids in [0, V)) into the V-long mask of rows left out,
// and picking the k best of V cosines outside that mask, cosine desc, ties by lower id.
std::vector<char> neighbor_query_mask(int V, int D, const float* query, int k, const std::vector<int>& exclude);
std::vector<Neighbor> top_k_neighbors(const std::vector<double>& cosines, const std::vector<char>& skip, int k);

// "a is to b as c is to ?": neighbours of E[b] − E[a] + E[c], excluding a, b and c.
std::vector<Neighbor> analogy(const std::vector<float>& table, int V, int D, int a, int b, int c, int k);

// ---- PCA to two dimensions -----------------------------------------------------------------------------

struct Pca2 {
  std::vector<double> mean;        // D
  std::vector<double> components;  // 2×D, unit rows; the second is zero when D = 1
  std::vector<double> coords;      // N×2, rows projected onto the components
  double explained[2] = {0, 0};    // eigenvalue / trace of the covariance; 0 when the trace is 0
};

// Centers the N×D rows, takes the top two eigenvectors of the D×D covariance (divided by N) with cyclic
// Jacobi rotations (exact to rounding; O(D³) per sweep, fine for D up to a few hundred), and projects.
// Each component's sign makes its largest-magnitude entry positive so repeated runs draw the same picture.
// With zero variance (e.g. N = 1) the components are the first coordinate axes and the coords are 0.
Pca2 pca_2d(const std::vector<float>& rows, int N, int D);

// Projects other N×D rows onto an existing basis → N×2 (e.g. every checkpoint of a run on one fixed basis).
std::vector<double> project_2d(const Pca2& basis, const std::vector<float>& rows, int N, int D);

}  // namespace embgeo::metrics

// Geometry metrics against cases small enough to work out by hand; the arithmetic is in the comments.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <fstream>
#include <random>
#include <string>
#include <sys/resource.h>
#include <tuple>

#include "embgeo/error.hpp"
#include "metrics/metrics.hpp"

namespace embgeo {
namespace {

using metrics::Neighbor;
using metrics::TokenPair;

constexpr double kTol = 1e-12;

TEST(Metrics, CheckMatrixRejectsBadShapesAndNonFiniteValues) {
  EXPECT_NO_THROW(metrics::check_matrix({1, 2, 3, 4, 5, 6}, 2, 3, "t"));
  EXPECT_THROW(metrics::check_matrix({1, 2, 3}, 2, 3, "t"), Error);
  EXPECT_THROW(metrics::check_matrix({}, 0, 3, "t"), Error);
  EXPECT_THROW(metrics::check_matrix({1, std::numeric_limits<float>::quiet_NaN()}, 1, 2, "t"), Error);
  EXPECT_THROW(metrics::check_matrix({1, std::numeric_limits<float>::infinity()}, 2, 1, "t"), Error);
}

TEST(Metrics, SummarizeEvenAndOddCounts) {
  // {1,2,3,4} (given unsorted): mean 10/4 = 2.5; squared deviations 2.25+0.25+0.25+2.25 = 5, population
  // variance 5/4 = 1.25, stddev √1.25; median (2+3)/2 = 2.5.
  const metrics::Summary s = metrics::summarize({3, 1, 4, 2});
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(1.25));
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.max, 4);
  // {7,1,4}: the middle of the sorted {1,4,7} is 4.
  EXPECT_DOUBLE_EQ(metrics::summarize({7, 1, 4}).median, 4);
  EXPECT_THROW(metrics::summarize({}), Error);
  EXPECT_THROW(metrics::summarize({1, std::numeric_limits<double>::quiet_NaN()}), Error);
}

TEST(Metrics, RowNormsOfThreeFourFiveRows) {
  // √(3²+4²) = 5, the zero row 0, √(6²+8²) = 10.
  const std::vector<double> norms = metrics::row_norms({3, 4, 0, 0, -6, 8}, 3, 2);
  ASSERT_EQ(norms.size(), 3u);
  EXPECT_DOUBLE_EQ(norms[0], 5);
  EXPECT_DOUBLE_EQ(norms[1], 0);
  EXPECT_DOUBLE_EQ(norms[2], 10);
  EXPECT_THROW(metrics::row_norms({3, 4, 0}, 2, 2), Error);
}

TEST(Metrics, CosineOfOrthogonalParallelOppositeAndZeroVectors) {
  const float x[] = {1, 0}, y2[] = {0, 2}, a[] = {1, 2}, a2[] = {2, 4}, minus3a[] = {-3, -6}, zero[] = {0, 0},
              diag[] = {1, 1};
  EXPECT_DOUBLE_EQ(metrics::cosine(x, y2, 2), 0);         // 1·0 + 0·2 = 0
  EXPECT_DOUBLE_EQ(metrics::cosine(a, a2, 2), 1);         // 10 / (√5·√20) = 10/10
  EXPECT_DOUBLE_EQ(metrics::cosine(a, minus3a, 2), -1);   // −15 / (√5·√45) = −15/15
  EXPECT_DOUBLE_EQ(metrics::cosine(a, zero, 2), 0);       // zero vector: defined as 0
  EXPECT_DOUBLE_EQ(metrics::cosine(zero, zero, 2), 0);
  EXPECT_NEAR(metrics::cosine(x, diag, 2), 1 / std::sqrt(2.0), kTol);  // 1 / (1·√2)
  EXPECT_DOUBLE_EQ(metrics::dot(a, minus3a, 2), -15);     // 1·(−3) + 2·(−6)
}

TEST(Metrics, CosineMatrixIsSymmetricWithUnitDiagonal) {
  // Rows (1,0), (0,1), (1,1), (0,0): cos(r0,r1) = 0, cos(r0,r2) = cos(r1,r2) = 1/√2, zero row → 0.
  const std::vector<float> m = metrics::cosine_matrix({1, 0, 0, 1, 1, 1, 0, 0}, 4, 2);
  ASSERT_EQ(m.size(), 16u);
  const float r = static_cast<float>(1 / std::sqrt(2.0));
  const float expected[16] = {1, 0, r, 0,  //
                              0, 1, r, 0,  //
                              r, r, 1, 0,  //
                              0, 0, 0, 0};
  for (int i = 0; i < 16; ++i) EXPECT_FLOAT_EQ(m[i], expected[i]) << "element " << i;
}

TEST(Metrics, CooccurrenceCountsWindowOneAndTwo) {
  const std::vector<std::int32_t> ids = {0, 1, 2, 0, 1};
  // Window 1, neighbouring positions: (0,1) (1,2) (2,0) (0,1) → c01 = 2, c12 = 1, c02 = 1, both directions.
  const metrics::Cooccurrence w1 = metrics::count_cooccurrence(ids, 3, 1);
  const std::int64_t expect1[3][3] = {{0, 2, 1}, {2, 0, 1}, {1, 1, 0}};
  // Window 2 adds the distance-2 positions: (0,2) (1,0) (2,1) → c01 = 3, c02 = 2, c12 = 2.
  const metrics::Cooccurrence w2 = metrics::count_cooccurrence(ids, 3, 2);
  const std::int64_t expect2[3][3] = {{0, 3, 2}, {3, 0, 2}, {2, 2, 0}};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      EXPECT_EQ(w1.count(a, b), expect1[a][b]) << a << "," << b;
      EXPECT_EQ(w2.count(a, b), expect2[a][b]) << a << "," << b;
    }
  EXPECT_EQ(w1.frequency, (std::vector<std::int64_t>{2, 2, 1}));
  // Rows are sparse and sorted: row 0 of window 1 is {1:2, 2:1}, no entry for the zero diagonal.
  ASSERT_EQ(w1.rows[0].size(), 2u);
  EXPECT_EQ(w1.rows[0][0].id, 1);
  EXPECT_EQ(w1.rows[0][0].count, 2);
  EXPECT_EQ(w1.rows[0][1].id, 2);
  EXPECT_EQ(w1.rows[0][1].count, 1);
}

TEST(Metrics, CooccurrenceCountsTheSameIdAtTwoPositions) {
  // [0,0,1], window 1: positions (0,1) hold ids (0,0) → c00 += 2 (each sees the other); (1,2) → c01 = 1.
  // Window 2 adds positions (0,2) → c01 = 2.
  const metrics::Cooccurrence w1 = metrics::count_cooccurrence({0, 0, 1}, 2, 1);
  EXPECT_EQ(w1.count(0, 0), 2);
  EXPECT_EQ(w1.count(0, 1), 1);
  EXPECT_EQ(w1.count(1, 0), 1);
  EXPECT_EQ(w1.count(1, 1), 0);
  EXPECT_EQ(metrics::count_cooccurrence({0, 0, 1}, 2, 2).count(0, 1), 2);
}

TEST(Metrics, CooccurrenceRejectsBadInput) {
  EXPECT_THROW(metrics::count_cooccurrence({0, 3}, 3, 1), Error);
  EXPECT_THROW(metrics::count_cooccurrence({0, -1}, 3, 1), Error);
  EXPECT_THROW(metrics::count_cooccurrence({0, 1}, 3, 0), Error);
  EXPECT_THROW(metrics::count_cooccurrence({0, 1}, 2, 1).count(0, 2), Error);
  // A stream shorter than the window just has fewer pairs.
  EXPECT_EQ(metrics::count_cooccurrence({1}, 2, 5).count(1, 1), 0);
}

// The definition, position by position, as a dense V×V table.
std::vector<std::int64_t> dense_cooccurrence(const std::vector<std::int32_t>& ids, int V, int window) {
  std::vector<std::int64_t> counts(V * V, 0);
  const int n = static_cast<int>(ids.size());
  for (int i = 0; i < n; ++i)
    for (int j = std::max(0, i - window); j <= std::min(n - 1, i + window); ++j)
      if (j != i) ++counts[ids[i] * V + ids[j]];
  return counts;
}

std::vector<std::int32_t> random_stream(int V, int length, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(0, V - 1);
  std::vector<std::int32_t> ids(length);
  for (std::int32_t& id : ids) id = pick(rng);
  return ids;
}

TEST(Metrics, CooccurrenceMatchesTheDefinitionOnRandomStreams) {
  const int V = 7;
  const std::vector<std::int32_t> ids = random_stream(V, 60, 99);
  for (int window : {1, 2, 4, 100}) {
    const metrics::Cooccurrence co = metrics::count_cooccurrence(ids, V, window);
    const std::vector<std::int64_t> dense = dense_cooccurrence(ids, V, window);
    for (int a = 0; a < V; ++a)
      for (int b = 0; b < V; ++b) ASSERT_EQ(co.count(a, b), dense[a * V + b]) << a << "," << b << " window " << window;
  }
}

// [0,1,0,1,2,3,2] over V=5, window 1. Neighbouring positions: (0,1) (1,0) (0,1) (1,2) (2,3) (3,2)
// → c01 = 3, c23 = 2, c12 = 1, every other pair 0. Frequencies 2,2,2,1,0 (id 4 never occurs).
metrics::Cooccurrence two_clusters() { return metrics::count_cooccurrence({0, 1, 0, 1, 2, 3, 2}, 5, 1); }

TEST(Metrics, TokensByFrequencySkipsAbsentTokens) {
  // Frequencies 2,2,2,1,0: ties broken by id, id 4 left out.
  EXPECT_EQ(metrics::tokens_by_frequency(two_clusters()), (std::vector<int>{0, 1, 2, 3}));
}

TEST(Metrics, ChoosePairsTakesTopCountsAndNeverPairsOfFrequentTokens) {
  const metrics::Cooccurrence co = two_clusters();
  // Co-occurring pairs by count: (0,1):3, (2,3):2, (1,2):1 — only three exist, so k=5 reports three.
  // Never: frequency order 0,1,2,3. Rank 1 (id 1) meets 0. Rank 2 (id 2) meets {1,3}: 0 is new → (0,2).
  // Rank 3 (id 3) meets {2}: (0,3), (1,3). Id 4 never occurs, so it forms no pair.
  const metrics::PairSets five = metrics::choose_pairs(co, 5);
  ASSERT_EQ(five.cooccurring.size(), 3u);
  const TokenPair top[] = {{0, 1, 3}, {2, 3, 2}, {1, 2, 1}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(five.cooccurring[i].a, top[i].a) << i;
    EXPECT_EQ(five.cooccurring[i].b, top[i].b) << i;
    EXPECT_EQ(five.cooccurring[i].cooccurrences, top[i].cooccurrences) << i;
  }
  ASSERT_EQ(five.never.size(), 3u);
  const TokenPair never[] = {{0, 2, 0}, {0, 3, 0}, {1, 3, 0}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(five.never[i].a, never[i].a) << i;
    EXPECT_EQ(five.never[i].b, never[i].b) << i;
    EXPECT_EQ(five.never[i].cooccurrences, 0) << i;
  }

  const metrics::PairSets two = metrics::choose_pairs(co, 2);
  ASSERT_EQ(two.cooccurring.size(), 2u);
  ASSERT_EQ(two.never.size(), 2u);
  EXPECT_EQ(two.never[1].a, 0);
  EXPECT_EQ(two.never[1].b, 3);

  const metrics::PairSets none = metrics::choose_pairs(co, 0);
  EXPECT_TRUE(none.cooccurring.empty());
  EXPECT_TRUE(none.never.empty());
  EXPECT_THROW(metrics::choose_pairs(co, -1), Error);
}

TEST(Metrics, ChoosePairsBreaksCountTiesById) {
  // [0,1,2,0,1], window 1: c01 = 2, c02 = 1, c12 = 1. The tie at 1 goes to (0,2) before (1,2).
  // Every pair of occurring tokens meets, so there is no never pair.
  const metrics::PairSets pairs = metrics::choose_pairs(metrics::count_cooccurrence({0, 1, 2, 0, 1}, 3, 1), 2);
  ASSERT_EQ(pairs.cooccurring.size(), 2u);
  EXPECT_EQ(pairs.cooccurring[0].a, 0);
  EXPECT_EQ(pairs.cooccurring[0].b, 1);
  EXPECT_EQ(pairs.cooccurring[0].cooccurrences, 2);
  EXPECT_EQ(pairs.cooccurring[1].a, 0);
  EXPECT_EQ(pairs.cooccurring[1].b, 2);
  EXPECT_EQ(pairs.cooccurring[1].cooccurrences, 1);
  EXPECT_TRUE(pairs.never.empty());
}

TEST(Metrics, SpearmanMonotoneReversedAndTies) {
  // Any increasing relation has identical ranks: ρ = 1; a decreasing one mirrors them: ρ = −1.
  EXPECT_NEAR(metrics::spearman({1, 2, 3, 4}, {10, 20, 30, 1000}), 1, kTol);
  EXPECT_NEAR(metrics::spearman({1, 2, 3, 4}, {5, 0, -2, -9}), -1, kTol);
  // x = {1,2,2,3} → ranks {1, 2.5, 2.5, 4}; y = {1,3,2,4} → ranks {1,3,2,4}; both mean 2.5.
  // Deviations dx = {−1.5,0,0,1.5}, dy = {−1.5,0.5,−0.5,1.5}: Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5.
  // ρ = 4.5 / √(4.5·5) = √0.9.
  EXPECT_NEAR(metrics::spearman({1, 2, 2, 3}, {1, 3, 2, 4}), std::sqrt(0.9), kTol);
  // No ordering → 0 by convention.
  EXPECT_EQ(metrics::spearman({1, 1, 1}, {1, 2, 3}), 0);
  EXPECT_EQ(metrics::spearman({1}, {2}), 0);
  EXPECT_EQ(metrics::spearman({}, {}), 0);
  EXPECT_THROW(metrics::spearman({1, 2}, {1}), Error);
  EXPECT_THROW(metrics::spearman({1, std::numeric_limits<double>::infinity()}, {1, 2}), Error);
}

TEST(Metrics, GeometryScoreIsOneWhenEmbeddingsAreTheContextCounts) {
  const metrics::Cooccurrence co = two_clusters();
  // E = the dense V×V count matrix, so every embedding cosine equals its distributional cosine and the ranks
  // agree exactly. Id 4 never occurs: its row is set to ones, which would break the agreement if it were
  // scored (its context vector is zero, its embedding is not).
  const int V = 5;
  std::vector<float> table(V * V, 0.0f);
  for (int a = 0; a < V; ++a)
    for (int b = 0; b < V; ++b) table[a * V + b] = static_cast<float>(co.count(a, b));
  for (int b = 0; b < V; ++b) table[4 * V + b] = 1.0f;
  EXPECT_NEAR(metrics::geometry_score(table, V, V, co), 1, kTol);
}

TEST(Metrics, GeometryScoreOnTheMostFrequentTokensOnly) {
  const metrics::Cooccurrence co = two_clusters();
  // max_tokens = 3 keeps ids 0,1,2 (frequency 2 each). Context rows: 0 = (0,3,0,0,0), 1 = (3,0,1,0,0),
  // 2 = (0,1,0,2,0). Context cosines over pairs (0,1),(0,2),(1,2): 0, 3/(3·√5), 0 → ranks 1.5, 3, 1.5.
  // Embeddings (1,0), (1,0.1), (0,1): cosines 1/√1.01, 0, 0.1/√1.01 → ranks 3, 1, 2.
  // Rank deviations: dx = (1,−1,0), dy = (−0.5,1,−0.5): Σdxdy = −1.5, Σdx² = 2, Σdy² = 1.5 → ρ = −1.5/√3.
  // Id 3's row (1,1) is outside the cap and must not matter.
  const std::vector<float> table = {1, 0, 1, 0.1f, 0, 1, 1, 1, 0, 0};
  EXPECT_NEAR(metrics::geometry_score(table, 5, 2, co, 3), -1.5 / std::sqrt(3.0), kTol);
  // Two tokens make a single pair: no ordering, score 0.
  EXPECT_EQ(metrics::geometry_score(table, 5, 2, co, 2), 0);
  EXPECT_THROW(metrics::geometry_score(table, 5, 2, co, 1), Error);
  EXPECT_THROW(metrics::geometry_score(table, 5, 2, co, metrics::kMaxGeometryTokens + 1), Error);
  EXPECT_THROW(metrics::geometry_score(table, 4, 2, co), Error);  // counts built for V = 5
}

TEST(Metrics, GeometryScoreMatchesADenseComputation) {
  // Same score from the dense definition: cosines of dense count rows vs embedding rows, all pairs, Spearman.
  const int V = 12, D = 3;
  const std::vector<std::int32_t> ids = random_stream(V, 200, 5);
  const metrics::Cooccurrence co = metrics::count_cooccurrence(ids, V, 2);
  const std::vector<std::int64_t> dense = dense_cooccurrence(ids, V, 2);
  std::vector<float> counts(dense.begin(), dense.end()), table(V * D);
  std::mt19937 rng(17);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& x : table) x = normal(rng);
  std::vector<double> embedding, context;
  for (int a = 0; a < V; ++a)
    for (int b = a + 1; b < V; ++b)
      if (co.frequency[a] > 0 && co.frequency[b] > 0) {
        embedding.push_back(metrics::cosine(&table[a * D], &table[b * D], D));
        context.push_back(metrics::cosine(&counts[a * V], &counts[b * V], V));
      }
  EXPECT_NEAR(metrics::geometry_score(table, V, D, co), metrics::spearman(embedding, context), kTol);
}

void expect_neighbors(const std::vector<Neighbor>& got, const std::vector<Neighbor>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].id, want[i].id) << "rank " << i;
    EXPECT_NEAR(got[i].cosine, want[i].cosine, kTol) << "rank " << i;
  }
}

TEST(Metrics, NearestNeighborsExcludeTheQueryAndHandleLargeK) {
  // Rows (1,0), (1,1), (0,1), (−1,0).
  const std::vector<float> table = {1, 0, 1, 1, 0, 1, -1, 0};
  const double r = 1 / std::sqrt(2.0);
  // Query row 0: cosines to rows 1,2,3 are 1/√2, 0, −1. k = 10 > V returns all three.
  expect_neighbors(metrics::nearest_neighbors(table, 4, 2, &table[0], 10, {0}), {{1, r}, {2, 0}, {3, -1}});
  // Query row 1 = (1,1): rows 0 and 2 tie at 1/√2 (lower id first), row 3 at −1/√2.
  expect_neighbors(metrics::nearest_neighbors(table, 4, 2, &table[2], 2, {1}), {{0, r}, {2, r}});
  // Nothing excluded: the row itself comes first.
  expect_neighbors(metrics::nearest_neighbors(table, 4, 2, &table[2], 1, {}), {{1, 1}});
  EXPECT_TRUE(metrics::nearest_neighbors(table, 4, 2, &table[0], 0, {0}).empty());
  EXPECT_THROW(metrics::nearest_neighbors(table, 4, 2, &table[0], -1, {}), Error);
  EXPECT_THROW(metrics::nearest_neighbors(table, 4, 2, &table[0], 1, {4}), Error);
  const float nan_query[] = {std::numeric_limits<float>::quiet_NaN(), 0};
  EXPECT_THROW(metrics::nearest_neighbors(table, 4, 2, nan_query, 1, {}), Error);
}

TEST(Metrics, AnalogyLandsOnTheMissingRow) {
  // man (1,0,0), king (1,1,0), woman (0,0,1), queen (0,1,1), other (1,0,1).
  // king − man + woman = (0,1,1) = queen: cosine 1. other: (0,1,1)·(1,0,1) / (√2·√2) = 1/2.
  const std::vector<float> table = {1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1};
  expect_neighbors(metrics::analogy(table, 5, 3, 0, 1, 2, 10), {{3, 1}, {4, 0.5}});
  EXPECT_THROW(metrics::analogy(table, 5, 3, 0, 1, 5, 1), Error);
}

void expect_values(const std::vector<double>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

TEST(Metrics, PcaOfPointsOnALine) {
  // (0,0), (1,2), (2,4), (3,6): all variance along (1,2)/√5, so explained = {1, 0}. Mean (1.5, 3).
  // Coords: (x − mean)·(1,2)/√5 = {−7.5, −2.5, 2.5, 7.5}/√5 on the first axis, 0 on the second.
  const metrics::Pca2 pca = metrics::pca_2d({0, 0, 1, 2, 2, 4, 3, 6}, 4, 2);
  const double s5 = std::sqrt(5.0);
  expect_values(pca.mean, {1.5, 3}, kTol);
  expect_values({pca.components.begin(), pca.components.begin() + 2}, {1 / s5, 2 / s5}, 1e-9);
  EXPECT_NEAR(pca.explained[0], 1, 1e-9);
  EXPECT_NEAR(pca.explained[1], 0, 1e-9);
  expect_values(pca.coords, {-7.5 / s5, 0, -2.5 / s5, 0, 2.5 / s5, 0, 7.5 / s5, 0}, 1e-9);
}

TEST(Metrics, PcaOfAnAxisAlignedEllipseFindsItsAxes) {
  // (±1,0,5), (0,±2,5): mean (0,0,5); variances (1+1)/4 = 0.5 along x, (4+4)/4 = 2 along y, 0 along z.
  // Trace 2.5 → explained {2/2.5, 0.5/2.5} = {0.8, 0.2}; components y then x; coords are the (y, x) pairs.
  const metrics::Pca2 pca = metrics::pca_2d({1, 0, 5, -1, 0, 5, 0, 2, 5, 0, -2, 5}, 4, 3);
  expect_values(pca.mean, {0, 0, 5}, kTol);
  expect_values(pca.components, {0, 1, 0, 1, 0, 0}, 1e-9);
  EXPECT_NEAR(pca.explained[0], 0.8, 1e-9);
  EXPECT_NEAR(pca.explained[1], 0.2, 1e-9);
  expect_values(pca.coords, {0, 1, 0, -1, 2, 0, -2, 0}, 1e-9);
}

TEST(Metrics, PcaOneDimensionAndOneRow) {
  // D = 1: {1,2,3}, mean 2, one axis carries everything; the second component is zero.
  const metrics::Pca2 line = metrics::pca_2d({1, 2, 3}, 3, 1);
  expect_values(line.components, {1, 0}, kTol);
  EXPECT_NEAR(line.explained[0], 1, kTol);
  EXPECT_EQ(line.explained[1], 0);
  expect_values(line.coords, {-1, 0, 0, 0, 1, 0}, kTol);
  // N = 1: no variance, trace 0 → explained 0, components the first two axes, the point maps to the origin.
  const metrics::Pca2 point = metrics::pca_2d({3, 4}, 1, 2);
  expect_values(point.mean, {3, 4}, kTol);
  expect_values(point.components, {1, 0, 0, 1}, kTol);
  EXPECT_EQ(point.explained[0], 0);
  EXPECT_EQ(point.explained[1], 0);
  expect_values(point.coords, {0, 0}, kTol);
}

TEST(Metrics, PcaComponentsAreEigenvectorsAndProjectionReproducesCoords) {
  // A random cloud with correlated columns: check the defining property C·v = λ·v (λ = explained·trace)
  // instead of numbers copied from another tool, then re-project the same rows onto the basis.
  const int N = 9, D = 5;
  std::mt19937 rng(1234);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> rows(N * D);
  for (int n = 0; n < N; ++n)
    for (int d = 0; d < D; ++d) rows[n * D + d] = normal(rng) + (d > 0 ? 0.7f * rows[n * D + d - 1] : 0.0f);
  const metrics::Pca2 pca = metrics::pca_2d(rows, N, D);

  std::vector<double> cov(D * D, 0.0);
  double trace = 0;
  for (int i = 0; i < D; ++i)
    for (int j = 0; j < D; ++j) {
      for (int n = 0; n < N; ++n)
        cov[i * D + j] += (rows[n * D + i] - pca.mean[i]) * (rows[n * D + j] - pca.mean[j]);
      cov[i * D + j] /= N;
    }
  for (int i = 0; i < D; ++i) trace += cov[i * D + i];
  EXPECT_GT(pca.explained[0], pca.explained[1]);
  for (int k = 0; k < 2; ++k) {
    const double* v = &pca.components[k * D];
    const double lambda = pca.explained[k] * trace;
    double length = 0;
    for (int i = 0; i < D; ++i) {
      double cv = 0;
      for (int j = 0; j < D; ++j) cv += cov[i * D + j] * v[j];
      EXPECT_NEAR(cv, lambda * v[i], 1e-9) << "component " << k << " row " << i;
      length += v[i] * v[i];
    }
    EXPECT_NEAR(length, 1, 1e-12);
  }
  double cross = 0;
  for (int d = 0; d < D; ++d) cross += pca.components[d] * pca.components[D + d];
  EXPECT_NEAR(cross, 0, 1e-12);

  expect_values(metrics::project_2d(pca, rows, N, D), pca.coords, 1e-12);
  // Repeated runs give the same picture, signs included.
  expect_values(metrics::pca_2d(rows, N, D).coords, pca.coords, 0);
  EXPECT_THROW(metrics::project_2d(pca, {1, 2}, 1, 2), Error);
}

}  // namespace
}  // namespace embgeo

namespace embgeo {
namespace {

TEST(Metrics, SuccessorCountsAreDirectional) {
  // [0,1,2,0,1], window 1: 0→1 twice, 1→2 once, 2→0 once.
  const metrics::Cooccurrence one = metrics::count_successors({0, 1, 2, 0, 1}, 3, 1);
  EXPECT_EQ(one.count(0, 1), 2);
  EXPECT_EQ(one.count(1, 0), 0);  // 1 never comes right before 0
  EXPECT_EQ(one.count(1, 2), 1);
  EXPECT_EQ(one.count(2, 0), 1);
  // Window 2 adds the tokens two positions later: 0→2 (positions 0,2), 1→0 (1,3), 2→1 (2,4).
  const metrics::Cooccurrence two = metrics::count_successors({0, 1, 2, 0, 1}, 3, 2);
  EXPECT_EQ(two.count(0, 1), 2);
  EXPECT_EQ(two.count(0, 2), 1);
  EXPECT_EQ(two.count(1, 0), 1);
  EXPECT_EQ(two.count(1, 2), 1);
  EXPECT_EQ(two.count(2, 0), 1);
  EXPECT_EQ(two.count(2, 1), 1);
  EXPECT_EQ(two.frequency, (std::vector<std::int64_t>{2, 2, 1}));
  EXPECT_THROW(metrics::count_successors({0, 3}, 3, 1), Error);
  EXPECT_THROW(metrics::count_successors({0, 1}, 3, 0), Error);
}

// The rows equal the definition (every pair i < j ≤ i + window, counted densely) on random streams,
// sorted by id with no zero entries, as the former sort-all-pairs implementation gave them.
TEST(Metrics, SuccessorCountsEqualTheDefinition) {
  std::mt19937 rng(14);
  for (const auto& [V, window, n] : {std::tuple{1, 1, 5}, {7, 3, 400}, {30, 64, 1000}, {5, 9, 4}}) {
    std::vector<std::int32_t> ids(n);
    for (std::int32_t& id : ids) id = static_cast<std::int32_t>(rng() % V);
    std::vector<std::int64_t> dense(static_cast<std::size_t>(V) * V, 0);
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n && j <= i + window; ++j) ++dense[ids[i] * V + ids[j]];
    const metrics::Cooccurrence co = metrics::count_successors(ids, V, window);
    for (int a = 0; a < V; ++a) {
      std::vector<std::pair<int, std::int64_t>> expected, got;
      for (int b = 0; b < V; ++b)
        if (dense[a * V + b]) expected.emplace_back(b, dense[a * V + b]);
      for (const metrics::ContextCount& c : co.rows[a]) got.emplace_back(c.id, c.count);
      EXPECT_EQ(got, expected) << "row " << a << ", V " << V << ", window " << window;
    }
  }
}

// Counts the successors of `ids` (V 1000, window 64) in a process allowed only `extra` bytes more address
// space than it maps now; exits 0 when that was enough.
[[noreturn]] void count_successors_within(const std::vector<std::int32_t>& ids, std::uint64_t extra) {
  std::ifstream status("/proc/self/status");
  std::uint64_t mapped_kb = 0;
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmSize:", 0) == 0) mapped_kb = std::stoull(line.substr(7));
  const rlimit limit{(mapped_kb << 10) + extra, RLIM_INFINITY};
  setrlimit(RLIMIT_AS, &limit);
  const metrics::Cooccurrence co = metrics::count_successors(ids, 1000, 64);
  std::exit(co.frequency.size() == 1000 ? 0 : 1);
}

// Memory is bounded by the stream and V, not stream × window: 4M tokens at window 64 once reserved 2 GB of
// pairs; here they must count within 600 MB more than the process already maps.
TEST(Metrics, SuccessorCountsDoNotScaleWithTheWindow) {
  std::vector<std::int32_t> ids(4'000'000);
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int32_t>((i * 2654435761u) % 1000);
  EXPECT_EXIT(count_successors_within(ids, 600ull << 20), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace embgeo

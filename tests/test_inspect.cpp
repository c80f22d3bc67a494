// `inspect` and `params`: real embedding files of every kind loaded and named, answers on tables small
// enough to work out by hand, malformed files refused in one line, and
// one table of LLaMA-3.2-1B's shape (128256×2048, BF16) taken end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "embgeo/error.hpp"
#include "formats/formats.hpp"
#include "inspect/inspect.hpp"
#include "metrics/metrics.hpp"
#include "test_support.hpp"

namespace embgeo {
namespace {

using formats::FloatMatrix;
using testing_support::CliResult;
using testing_support::contains;
using testing_support::ids_of;
using testing_support::row_of;
using testing_support::run_cli;
using testing_support::TempDir;

// ---- helpers -----------------------------------------------------------------------------------------

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  ASSERT_TRUE(out.good()) << path;
}

using testing_support::f32_bytes;
using testing_support::le_bytes;

std::string u16_bytes(const std::vector<std::uint16_t>& values) {
  std::string out;
  for (std::uint16_t v : values) out += le_bytes(v, 2);
  return out;
}

// A safetensors file from a header written out by hand (so it can be wrong on purpose) and its data:
// u64 LE header length, the JSON padded with spaces to an 8-byte boundary, the data section.
std::string safetensors_file(std::string header, const std::string& data) {
  while ((8 + header.size()) % 8 != 0) header += ' ';
  return le_bytes(header.size(), 8) + header + data;
}

// A .npy file: magic, version major.0, header length (u16 in v1.0, u32 in v2.0), the dict padded with
// spaces and a final '\n' so the data starts 64-byte aligned, as numpy.save writes it.
std::string npy_file(int major, const std::string& dict, const std::string& data) {
  const std::size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  return std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0' + le_bytes(header.size(), major == 1 ? 2 : 4) +
         header + data;
}

using testing_support::error_of;

using testing_support::expect_one_line_error;

std::string quoted(const std::string& path) { return "'" + path + "'"; }

EmbeddingTable table_of(int V, int D, std::vector<float> values) {
  EmbeddingTable t;
  t.V = V;
  t.D = D;
  t.values = std::move(values);
  for (int i = 0; i < V; ++i) t.tokens.push_back("#" + std::to_string(i));
  return t;
}

// Rows (1,0), (0,1), (1,1), (-1,0): every answer below is worked out by hand from these four points.
const std::vector<float> kTiny = {1, 0, 0, 1, 1, 1, -1, 0};

// ---- loading every kind of file ----------------------------------------------------------------------

TEST(InspectLoad, SafetensorsF32) {
  TempDir dir;
  const std::string path = dir.file("emb.safetensors");
  formats::write_safetensors(path, {{"emb", FloatMatrix{3, 2, false, {1.5f, -2, 0, 0.25f, 7, -0.125f}}}}, {});
  const EmbeddingTable t = load_embedding_table(path, "", "");
  EXPECT_EQ(t.format, "safetensors");
  EXPECT_EQ(t.tensor, "emb");
  EXPECT_EQ(t.dtype, "F32");
  EXPECT_EQ(t.V, 3);
  EXPECT_EQ(t.D, 2);
  EXPECT_EQ(t.values, (std::vector<float>{1.5f, -2, 0, 0.25f, 7, -0.125f}));
  // No vocabulary: rows are named by id, and the table says so.
  EXPECT_EQ(t.tokens, (std::vector<std::string>{"#0", "#1", "#2"}));
  EXPECT_FALSE(t.named);
}

TEST(InspectLoad, SafetensorsF16AndBF16FromHandWrittenBits) {
  TempDir dir;
  // Bits written out literally, so the decoder is checked against the formats, not against our encoder:
  // F16  0x3C00 = 1, 0xC000 = -2, 0x2E66 = 0.0999755859375 (nearest to 0.1), 0x7BFF = 65504 (largest finite).
  // BF16 0x3F80 = 1, 0xC000 = -2, 0x3DCD = 0.10009765625 (0.1f = 0x3DCCCCCD rounded up), 0x7F7F = 0x7F7F0000
  //      as float32 = (2 − 2^-7)·2^127.
  const struct {
    const char* dtype;
    std::vector<std::uint16_t> bits;
    std::vector<float> expected;
  } cases[] = {
      {"F16", {0x3C00, 0xC000, 0x2E66, 0x7BFF}, {1, -2, 0.0999755859375f, 65504}},
      {"BF16", {0x3F80, 0xC000, 0x3DCD, 0x7F7F}, {1, -2, 0.10009765625f, std::ldexp(2.0f - std::ldexp(1.0f, -7), 127)}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.dtype);
    const std::string path = dir.file(std::string(c.dtype) + ".safetensors");
    write_bytes(path, safetensors_file(std::string("{\"w\":{\"dtype\":\"") + c.dtype +
                                           "\",\"shape\":[2,2],\"data_offsets\":[0,8]}}",
                                       u16_bytes(c.bits)));
    const EmbeddingTable t = load_embedding_table(path, "", "");
    EXPECT_EQ(t.dtype, c.dtype);
    EXPECT_EQ(t.V, 2);
    EXPECT_EQ(t.D, 2);
    EXPECT_EQ(t.values, c.expected);
  }
}

TEST(InspectLoad, NpyVersion1AndHandMadeVersion2) {
  TempDir dir;
  const std::string v1 = dir.file("v1.npy"), v2 = dir.file("v2.npy");
  formats::write_npy(v1, FloatMatrix{2, 3, false, {1, 2, 3, 4, 5, 6}});
  // v2.0 differs only in the 4-byte header length; numpy writes it for headers above 65535 bytes.
  write_bytes(v2, npy_file(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
                           f32_bytes({-1, 0.5f, 2, -0.25f, 8, 16})));
  const EmbeddingTable a = load_embedding_table(v1, "", ""), b = load_embedding_table(v2, "", "");
  EXPECT_EQ(a.format, "npy");
  EXPECT_EQ(a.dtype, "float (npy)");
  EXPECT_EQ(a.V, 2);
  EXPECT_EQ(a.D, 3);
  EXPECT_EQ(a.values, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(b.format, "npy");
  EXPECT_EQ(b.V, 3);
  EXPECT_EQ(b.D, 2);
  EXPECT_EQ(b.values, (std::vector<float>{-1, 0.5f, 2, -0.25f, 8, 16}));
  EXPECT_EQ(b.tokens.back(), "#2");
  // --tensor only means something inside a safetensors file.
  EXPECT_TRUE(contains(error_of([&] { load_embedding_table(v1, "emb", ""); }), "safetensors files only"));
}

TEST(InspectLoad, Word2vecTextNamesItsRows) {
  TempDir dir;
  const std::string path = dir.file("words.vec");
  formats::write_word2vec_text(path, {"king", "queen", "x"}, FloatMatrix{3, 2, false, {1, 2, 3.5f, -4, 0, 1e-3f}});
  const EmbeddingTable t = load_embedding_table(path, "", "");
  EXPECT_EQ(t.format, "vec");
  EXPECT_EQ(t.dtype, "text");
  EXPECT_EQ(t.V, 3);
  EXPECT_EQ(t.D, 2);
  EXPECT_EQ(t.values, (std::vector<float>{1, 2, 3.5f, -4, 0, 1e-3f}));
  EXPECT_EQ(t.tokens, (std::vector<std::string>{"king", "queen", "x"}));
  EXPECT_TRUE(t.named);
  EXPECT_EQ(resolve_token(t, "queen"), 1);
}

TEST(InspectLoad, TensorSelection) {
  TempDir dir;
  const FloatMatrix a{2, 2, false, {1, 2, 3, 4}}, b{2, 2, false, {5, 6, 7, 8}};

  // One matrix beside a 1-D bias: the matrix, whatever its name.
  const std::string biased = dir.file("biased.safetensors");
  formats::write_safetensors(biased, {{"bias", FloatMatrix{2, 1, true, {9, 9}}}, {"weight", a}}, {});
  EXPECT_EQ(load_embedding_table(biased, "", "").tensor, "weight");

  // Two matrices, one named like an embedding: that one, values included.
  const std::string model = dir.file("model.safetensors");
  formats::write_safetensors(model, {{"lm_head.weight", a}, {"model.embed_tokens.weight", b}}, {});
  const EmbeddingTable picked = load_embedding_table(model, "", "");
  EXPECT_EQ(picked.tensor, "model.embed_tokens.weight");
  EXPECT_EQ(picked.values, b.values);

  // Two anonymous matrices: no guess; the error lists both and points at --tensor.
  const std::string two = dir.file("two.safetensors");
  formats::write_safetensors(two, {{"first", a}, {"second", b}}, {});
  const std::string ambiguous = error_of([&] { load_embedding_table(two, "", ""); });
  EXPECT_TRUE(contains(ambiguous, "first, second")) << ambiguous;
  EXPECT_TRUE(contains(ambiguous, "--tensor")) << ambiguous;

  // --tensor picks explicitly, even against the name heuristic.
  EXPECT_EQ(load_embedding_table(two, "second", "").values, b.values);
  EXPECT_EQ(load_embedding_table(model, "lm_head.weight", "").values, a.values);
  const std::string missing = error_of([&] { load_embedding_table(two, "third", ""); });
  EXPECT_TRUE(contains(missing, "no tensor named 'third'")) << missing;
  EXPECT_TRUE(contains(missing, "first, second")) << missing;
  // A 1-D tensor asked for by name is refused: it is not a table.
  EXPECT_TRUE(contains(error_of([&] { load_embedding_table(biased, "bias", ""); }), "is 1-D"));
}

// ---- hand-computed answers ---------------------------------------------------------------------------

TEST(InspectSummary, TinyTableByHand) {
  const TableSummary s = summarize_table(table_of(4, 2, kTiny));
  EXPECT_EQ(s.parameters, 8);
  EXPECT_DOUBLE_EQ(s.bytes_fp32, 32);
  EXPECT_DOUBLE_EQ(s.bytes_bf16, 16);
  EXPECT_DOUBLE_EQ(s.bytes_int8, 8 + 4 * 4);  // 8 int8 values + one fp32 scale per row
  // Values 1,0,0,1,1,1,-1,0: mean 3/8; E[x²] = 5/8, variance 5/8 − 9/64 = 31/64, std √31/8.
  EXPECT_DOUBLE_EQ(s.mean, 0.375);
  EXPECT_NEAR(s.stddev, std::sqrt(31.0) / 8, 1e-12);
  EXPECT_EQ(s.min, -1);
  EXPECT_EQ(s.max, 1);
  // Norms 1, 1, √2, 1: mean (3 + √2)/4, median of 1,1,1,√2 = 1.
  EXPECT_NEAR(s.norms.mean, (3 + std::sqrt(2.0)) / 4, 1e-12);
  EXPECT_DOUBLE_EQ(s.norms.median, 1);
  EXPECT_DOUBLE_EQ(s.norms.min, 1);
  EXPECT_NEAR(s.norms.max, std::sqrt(2.0), 1e-12);
  // Equal norms are listed by id in both lists.
  ASSERT_EQ(s.largest.size(), 4u);
  ASSERT_EQ(s.smallest.size(), 4u);
  const int largest[] = {2, 0, 1, 3}, smallest[] = {0, 1, 3, 2};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(s.largest[i].id, largest[i]) << i;
    EXPECT_EQ(s.smallest[i].id, smallest[i]) << i;
  }
  EXPECT_NEAR(s.largest[0].norm, std::sqrt(2.0), 1e-12);
}

TEST(InspectSummary, NormListsStopAtFive) {
  // One column, so each |value| is its row's norm: 3,7,1,0,5,2,6.
  const TableSummary s = summarize_table(table_of(7, 1, {3, -7, 1, 0, 5, -2, 6}));
  const int largest[] = {1, 6, 4, 0, 5}, smallest[] = {3, 2, 5, 0, 4};
  ASSERT_EQ(s.largest.size(), 5u);
  ASSERT_EQ(s.smallest.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(s.largest[i].id, largest[i]) << i;
    EXPECT_EQ(s.smallest[i].id, smallest[i]) << i;
  }
  EXPECT_DOUBLE_EQ(s.largest[0].norm, 7);
  EXPECT_DOUBLE_EQ(s.smallest[0].norm, 0);
}

TEST(InspectSummary, DescribeRowTopDimensions) {
  // Row 1 of a 2×12 table (row 0 zero), so the row offset is exercised too.
  const std::vector<float> row = {0.5f, -3, 0, 2, -0.25f, 1, 0, 0, 4, -1, 0.1f, -5};
  std::vector<float> values(12, 0.0f);
  values.insert(values.end(), row.begin(), row.end());
  const TokenRow r = describe_row(table_of(2, 12, values), 1);
  EXPECT_EQ(r.id, 1);
  EXPECT_EQ(r.head, std::vector<float>(row.begin(), row.begin() + 8));  // the first 8 of 12
  // norm² = 0.25 + 9 + 4 + 0.0625 + 1 + 16 + 1 + 0.01 + 25 = 56.3225 (0.1f adds ~3e-10).
  EXPECT_NEAR(r.norm, 7.504831776948636, 1e-9);
  // |value| descending: 11 (−5), 8 (4), 1 (−3), 3 (2), then |1| twice by dimension 5, 9, then 0 (0.5),
  // 4 (−0.25), 10 (0.1), and the first of the zeros, dimension 2; ten in all.
  const std::vector<std::pair<int, float>> expected = {{11, -5}, {8, 4},      {1, -3},     {3, 2},  {5, 1},
                                                       {9, -1},  {0, 0.5f},   {4, -0.25f}, {10, 0.1f}, {2, 0}};
  EXPECT_EQ(r.top_dims, expected);
}

TEST(InspectNeighbors, CpuIndexLeavesTheQueryOut) {
  const std::vector<float> table = kTiny;  // outlives the index, which refers to it
  const auto index = make_cpu_neighbor_index(table, 4, 2);
  EXPECT_EQ(index->device(), "cpu");
  // From (1,0): (1,1) at 1/√2, (0,1) at 0, (-1,0) at −1; itself (cosine 1) is excluded. k above V−1
  // returns the three there are.
  const auto found = index->query(row_of(table, 2, 0), 10, {0});
  EXPECT_EQ(ids_of(found), (std::vector<int>{2, 1, 3}));
  ASSERT_EQ(found.size(), 3u);
  EXPECT_NEAR(found[0].cosine, 1 / std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(found[1].cosine, 0, 1e-12);
  EXPECT_NEAR(found[2].cosine, -1, 1e-12);
  // Without the exclusion the query finds itself first.
  EXPECT_EQ(index->query(row_of(table, 2, 0), 1, {}).front().id, 0);
}

TEST(InspectNeighbors, CpuIndexMatchesTheReferenceSearch) {
  // The index's float GEMV against metrics::nearest_neighbors' double loops, on a table with a zero row and
  // exact ties (a copy and a doubled copy of row 50, whose cosines are bit-equal in any precision).
  const int V = 600, D = 37;
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  std::vector<float> table(static_cast<std::size_t>(V) * D);
  for (float& v : table) v = normal(rng);
  std::fill(table.begin() + 17 * D, table.begin() + 18 * D, 0.0f);
  for (int d = 0; d < D; ++d) table[100 * D + d] = table[50 * D + d], table[200 * D + d] = 2 * table[50 * D + d];
  const auto index = make_cpu_neighbor_index(table, V, D);
  for (const int q : {50, 100, 17, 0, V - 1}) {
    const std::vector<float> query = row_of(table, D, q);
    const auto want = metrics::nearest_neighbors(table, V, D, query.data(), 12, {q, 3});
    const auto got = index->query(query, 12, {q, 3});
    EXPECT_EQ(ids_of(got), ids_of(want)) << "query row " << q;
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
      EXPECT_NEAR(got[i].cosine, want[i].cosine, 1e-6) << "query row " << q << ", rank " << i;
  }
  EXPECT_THROW(index->query(std::vector<float>(D + 1), 3, {}), Error);
  EXPECT_THROW(index->query(row_of(table, D, 0), 3, {V}), Error);
  EXPECT_THROW(index->query(row_of(table, D, 0), -1, {}), Error);
}

TEST(InspectQuantize, Int8RoundTripByHand) {
  // Rows (127, −63.5), (254, 5), (0, 0). q = round-half-even(x / scale), restored = q·scale.
  const std::vector<float> values = {127, -63.5f, 254, 5, 0, 0};
  // Per tensor: max |x| = 254, scale 2: 63.5 → 64 (·2 = 128), −31.75 → −32 (−64), 127 (254), 2.5 → 2 (4).
  EXPECT_EQ(quantize_int8_roundtrip(values, 3, 2, false), (std::vector<float>{128, -64, 254, 4, 0, 0}));
  // Per row: scale 1 for row 0 (−63.5 → −64, ties to even), 2 for row 1, and a zero row stays zero rather
  // than dividing by a zero scale.
  EXPECT_EQ(quantize_int8_roundtrip(values, 3, 2, true), (std::vector<float>{127, -64, 254, 4, 0, 0}));
}

TEST(InspectQuantize, ReportOnLosslessAndLossyTables) {
  const IndexMaker cpu = [](const std::vector<float>& table) { return make_cpu_neighbor_index(table, 4, 2); };
  // The tiny table ×127: every value is a multiple of the scale (1 per tensor and per row), so nothing moves.
  std::vector<float> scaled = kTiny;
  for (float& v : scaled) v *= 127;
  for (bool per_row : {false, true}) {
    const QuantizationReport r = quantization_report(table_of(4, 2, scaled), per_row, cpu, {0, 1, 2, 3}, 2);
    EXPECT_EQ(r.scheme, per_row ? "int8 per-row" : "int8 per-tensor");
    EXPECT_EQ(r.rmse, 0);
    EXPECT_EQ(r.max_abs_error, 0);
    EXPECT_EQ(r.relative_error, 0);
    EXPECT_EQ(r.neighbor_overlap, 1.0);
    EXPECT_EQ(r.queries, 4);
    EXPECT_EQ(r.k, 2);
  }
  // Rows (127,0), (100,0.4), (100,0.2), (0,127), per tensor scale 1: 0.4 and 0.2 round to 0, so rows 1
  // and 2 both become (100,0). Row 0's nearest was row 2 (cosine 100/√10000.04 > 100/√10000.16) and is now
  // row 1 (an exact tie, lower id first): top-1 overlap 0.
  // Errors 0.4, 0.2 over 8 values: RMSE √(0.2/8); relative √(0.2 / (2·127² + 2·100² + 0.2)).
  const QuantizationReport lossy =
      quantization_report(table_of(4, 2, {127, 0, 100, 0.4f, 100, 0.2f, 0, 127}), false, cpu, {0}, 1);
  EXPECT_NEAR(lossy.rmse, std::sqrt(0.2 / 8), 1e-7);
  EXPECT_NEAR(lossy.max_abs_error, 0.4, 1e-7);
  EXPECT_NEAR(lossy.relative_error, std::sqrt(0.2 / 52258.2), 1e-9);
  EXPECT_EQ(lossy.neighbor_overlap, 0.0);
  EXPECT_TRUE(contains(error_of([&] { quantization_report(table_of(4, 2, scaled), false, cpu, {0}, 0); }), "-k"));
}

// The same tiny table as a .vec file with tokens a..d, for the CLI.
std::string write_tiny_vec(const TempDir& dir) {
  const std::string path = dir.file("tiny.vec");
  formats::write_word2vec_text(path, {"a", "b", "c", "d"}, FloatMatrix{4, 2, false, kTiny});
  return path;
}

TEST(InspectCli, SimilarityNeighborsAndAnalogy) {
  TempDir dir;
  const std::string tiny = write_tiny_vec(dir);
  // cos(a, c) = (1,0)·(1,1)/√2; cos(a, d) = −1.
  CliResult r = run_cli("inspect " + quoted(tiny) + " --similarity a c", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "cosine(a (#0), c (#2)) = 0.7071")) << r.out;
  r = run_cli("inspect " + quoted(tiny) + " --similarity a d --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(nlohmann::json::parse(r.out)["similarity"]["cosine"].get<double>(), -1, 1e-12);

  // Neighbours of a with k = 2: c (0.7071), b (0); a itself is left out.
  r = run_cli("inspect " + quoted(tiny) + " --neighbors a -k 2 --device cpu --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json nn = nlohmann::json::parse(r.out)["neighbors"][0];
  EXPECT_EQ(nn["query"], "a");
  EXPECT_EQ(nn["device"], "cpu");
  ASSERT_EQ(nn["neighbors"].size(), 2u);
  EXPECT_EQ(nn["neighbors"][0]["token"], "c");
  EXPECT_NEAR(nn["neighbors"][0]["cosine"].get<double>(), 1 / std::sqrt(2.0), 1e-12);
  EXPECT_EQ(nn["neighbors"][1]["token"], "b");

  // man (1,0), woman (0,1), king (1,1), queen (0.1,1), prince (1,0.2): woman − man + king = (0,2).
  // With man, woman, king left out: queen at 2/(2·√1.01) = 0.995037, prince at 0.4/(2·√1.04) = 0.196116.
  const std::string royals = dir.file("royals.vec");
  formats::write_word2vec_text(royals, {"man", "woman", "king", "queen", "prince"},
                               FloatMatrix{5, 2, false, {1, 0, 0, 1, 1, 1, 0.1f, 1, 1, 0.2f}});
  r = run_cli("inspect " + quoted(royals) + " --analogy man woman king -k 5 --device cpu --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json analogy = nlohmann::json::parse(r.out)["analogy"]["neighbors"];
  ASSERT_EQ(analogy.size(), 2u) << analogy;
  EXPECT_EQ(analogy[0]["token"], "queen");
  EXPECT_NEAR(analogy[0]["cosine"].get<double>(), 0.9950371902, 1e-6);  // 1e-6: 0.1f and 0.2f are inexact
  EXPECT_EQ(analogy[1]["token"], "prince");
  EXPECT_NEAR(analogy[1]["cosine"].get<double>(), 0.1961161351, 1e-6);
}

TEST(InspectCli, PcaOfChosenRows) {
  TempDir dir;
  const std::string tiny = write_tiny_vec(dir);
  // a (1,0), b (0,1), c (1,1): centred on (2/3, 2/3) they are (1,−2)/3, (−2,1)/3, (1,1)/3, whose scatter
  // matrix is [[6, −3], [−3, 6]]/9 with eigenvalues 9/9 and 3/9: explained 3/4 and 1/4.
  const CliResult r =
      run_cli("inspect " + quoted(tiny) + " --pca a,b,c --out " + quoted(dir.file("pca")) + " --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json pca = nlohmann::json::parse(r.out)["pca"];
  EXPECT_EQ(pca["tokens"], nlohmann::json::array({"a", "b", "c"}));
  EXPECT_NEAR(pca["explained"][0].get<double>(), 0.75, 1e-9);
  EXPECT_NEAR(pca["explained"][1].get<double>(), 0.25, 1e-9);
  EXPECT_EQ(pca["coords"].size(), 6u);  // 3 points × 2 coordinates, flattened
  expect_one_line_error(run_cli("inspect " + quoted(tiny) + " --pca a", dir), "--pca needs at least two tokens");
  expect_one_line_error(run_cli("inspect " + quoted(tiny) + " --pca a,b,a", dir), "--pca names row #0 more than once");
  expect_one_line_error(run_cli("inspect " + quoted(tiny) + " --pca ''", dir), "--pca: the list is empty");
}

// ---- vocabularies ------------------------------------------------------------------------------------

TEST(InspectVocab, VocabTxtNamesRows) {
  TempDir dir;
  const std::string npy = dir.file("tiny.npy"), vocab = dir.file("vocab.txt"), short_vocab = dir.file("short.txt");
  formats::write_npy(npy, FloatMatrix{4, 2, false, kTiny});
  formats::write_vocab(vocab, {"the", "a b", "<s>", "x"});
  const EmbeddingTable t = load_embedding_table(npy, "", vocab);
  EXPECT_TRUE(t.named);
  EXPECT_EQ(t.tokens, (std::vector<std::string>{"the", "a b", "<s>", "x"}));
  EXPECT_EQ(resolve_token(t, "a b"), 1);  // escaped on disk as a\sb, read back with its space
  EXPECT_EQ(resolve_token(t, "#3"), 3);   // ids still work when rows have names
  formats::write_vocab(short_vocab, {"the", "a", "b"});
  const std::string mismatch = error_of([&] { load_embedding_table(npy, "", short_vocab); });
  EXPECT_TRUE(contains(mismatch, "names 3 tokens but the table has 4 rows")) << mismatch;
}

TEST(InspectVocab, TokenizerJson) {
  TempDir dir;
  const std::string npy = dir.file("tiny.npy"), tokenizer = dir.file("tokenizer.json");
  formats::write_npy(npy, FloatMatrix{4, 2, false, kTiny});
  write_bytes(tokenizer, R"({"model":{"vocab":{"a":0,"b":1}},"added_tokens":[{"id":2,"content":"<s>"}]})");
  const EmbeddingTable t = load_embedding_table(npy, "", tokenizer);
  // Row 3 is named by neither the vocab nor the added tokens: it keeps its id name.
  EXPECT_EQ(t.tokens, (std::vector<std::string>{"a", "b", "<s>", "#3"}));
  EXPECT_EQ(resolve_token(t, "<s>"), 2);
  EXPECT_EQ(resolve_token(t, "#3"), 3);

  const std::string outside = dir.file("outside.json"), added_outside = dir.file("added.json");
  write_bytes(outside, R"({"model":{"vocab":{"a":0,"z":4}}})");
  EXPECT_TRUE(contains(error_of([&] { load_embedding_table(npy, "", outside); }), "token 'z' has id 4 outside"));
  write_bytes(added_outside, R"({"model":{"vocab":{"a":0}},"added_tokens":[{"id":-1,"content":"<pad>"}]})");
  EXPECT_TRUE(contains(error_of([&] { load_embedding_table(npy, "", added_outside); }), "'<pad>' has id -1"));

  const std::string not_json = dir.file("broken.json"), no_vocab = dir.file("novocab.json");
  write_bytes(not_json, "{\"model\":");
  EXPECT_TRUE(contains(error_of([&] { load_embedding_table(npy, "", not_json); }), "not valid JSON"));
  write_bytes(no_vocab, R"({"model":{"type":"BPE"}})");
  EXPECT_TRUE(contains(error_of([&] { load_embedding_table(npy, "", no_vocab); }), "no model.vocab"));
  // Nesting that would exhaust the stack of a recursive walk is refused while parsing.
  const std::string deep = dir.file("deep.json");
  write_bytes(deep, R"({"model":{"vocab":{"a":0}},"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}");
  EXPECT_TRUE(contains(error_of([&] { load_embedding_table(npy, "", deep); }), "nested deeper than 64 levels"));
}

TEST(InspectVocab, ResolveToken) {
  EmbeddingTable t = table_of(4, 2, kTiny);
  t.tokens = {"a", "b", "c", "d"};
  EXPECT_EQ(resolve_token(t, "c"), 2);
  EXPECT_EQ(resolve_token(t, "#0"), 0);
  EXPECT_TRUE(contains(error_of([&] { resolve_token(t, "zebra"); }), "'zebra' is not in the vocabulary"));
  EXPECT_TRUE(contains(error_of([&] { resolve_token(t, "#4"); }), "outside the vocabulary [0, 4)"));
  // Far too many digits for any id: refused, not overflowed into a valid-looking one.
  EXPECT_TRUE(contains(error_of([&] { resolve_token(t, "#99999999999999999999"); }), "outside"));
}

// ---- the CLI on good and bad files -------------------------------------------------------------------

TEST(InspectCli, MalformedFilesFailInOneLine) {
  TempDir dir;
  const std::string good_header = R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
  const std::string four = f32_bytes({1, 2, 3, 4});
  const std::string good = safetensors_file(good_header, four);
  struct Case {
    const char* name;
    std::string bytes, fragment;
  };
  const Case cases[] = {
      {"truncated.safetensors", good.substr(0, good.size() - 5), "exceed the data section of 11 bytes"},
      // The length field says 1000 but the file holds 96 bytes: still recognized as safetensors.
      {"long_header.safetensors", le_bytes(1000, 8) + good.substr(8),
       "header length 1000 exceeds file size " + std::to_string(good.size())},
      {"overlap.safetensors",
       safetensors_file(R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
                        R"("b":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}})",
                        f32_bytes({1, 2, 3, 4, 5, 6})),
       "overlap"},
      {"dtype.safetensors", safetensors_file(R"({"w":{"dtype":"F33","shape":[2,2],"data_offsets":[0,16]}})", four),
       "unknown dtype 'F33'"},
      {"shape.safetensors", safetensors_file(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}})", four),
       "needs 24 bytes but data_offsets [0, 16] hold 16"},
      {"magic.npy", "\x93NUMPX" + npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", four).substr(6),
       "not a safetensors, .npy or word2vec .vec file"},
      {"fortran.npy", npy_file(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", four),
       "Fortran-order"},
      {"ragged.vec", "2 3\na 1 2 3\nb 1 2\n", "line 3: expected 3 values after the token but found 2"},
      {"nan.vec", "2 2\na 1 nan\nb 1 2\n", "nan.vec: non-finite value nan at row 0 column 1"},
      {"twice.vec", "2 2\na 1 2\na 3 4\n", "twice.vec: line 3 repeats the token 'a' of line 2"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    write_bytes(dir.file(c.name), c.bytes);
    expect_one_line_error(run_cli("inspect " + quoted(dir.file(c.name)), dir), c.fragment);
  }
  write_bytes(dir.file("good.safetensors"), good);
  expect_one_line_error(run_cli("inspect " + quoted(dir.file("good.safetensors")) + " --token zebra", dir),
                        "'zebra' is not in the vocabulary");
  expect_one_line_error(run_cli("inspect " + quoted(dir.file("good.safetensors")) + " --neighbors '#2'", dir),
                        "token #2 is outside the vocabulary [0, 2)");
  expect_one_line_error(run_cli("inspect " + quoted(dir.file("absent.safetensors")), dir), "cannot open");
  expect_one_line_error(run_cli("inspect " + quoted(dir.path().string()), dir), "not a regular file");
  expect_one_line_error(run_cli("inspect " + quoted(dir.file("good.safetensors")) + " --quantize int4", dir),
                        "--quantize supports int8");
}

TEST(InspectCli, ListTensors) {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  formats::write_safetensors(path, {{"bias", FloatMatrix{3, 1, true, {0, 0, 0}}},
                                    {"weight", FloatMatrix{3, 2, false, {1, 2, 3, 4, 5, 6}}}}, {});
  CliResult r = run_cli("inspect " + quoted(path) + " --list", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "weight")) << r.out;
  EXPECT_TRUE(contains(r.out, "3×2")) << r.out;
  EXPECT_TRUE(contains(r.out, "bias")) << r.out;
  EXPECT_TRUE(contains(r.out, "F32")) << r.out;
  r = run_cli("inspect " + quoted(path) + " --list --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json listing = nlohmann::json::parse(r.out);
  ASSERT_EQ(listing.size(), 2u);
  EXPECT_EQ(listing[0]["name"], "bias");  // data order
  EXPECT_EQ(listing[0]["shape"], nlohmann::json::array({3}));
  EXPECT_EQ(listing[1]["name"], "weight");
  EXPECT_EQ(listing[1]["shape"], nlohmann::json::array({3, 2}));
}

TEST(InspectCli, JsonSummaryParses) {
  TempDir dir;
  const std::string tiny = write_tiny_vec(dir);
  const CliResult r = run_cli("inspect " + quoted(tiny) + " --token c --quantize int8 --device cpu --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format"], "vec");
  EXPECT_EQ(j["summary"]["V"], 4);
  EXPECT_EQ(j["summary"]["D"], 2);
  EXPECT_EQ(j["summary"]["parameters"], 8);
  EXPECT_DOUBLE_EQ(j["summary"]["mean"].get<double>(), 0.375);
  EXPECT_EQ(j["summary"]["largest_norms"][0]["token"], "c");
  EXPECT_EQ(j["tokens"][0]["token"], "c");
  EXPECT_NEAR(j["tokens"][0]["norm"].get<double>(), std::sqrt(2.0), 1e-12);
  // Both schemes, 4 queries (one per row, V < 16), and k clipped from 10 to the V − 1 = 3 other rows.
  ASSERT_EQ(j["quantization"].size(), 2u);
  EXPECT_EQ(j["quantization"][0]["scheme"], "int8 per-tensor");
  EXPECT_EQ(j["quantization"][1]["scheme"], "int8 per-row");
  EXPECT_EQ(j["quantization"][1]["queries"], 4);
  EXPECT_EQ(j["quantization"][1]["k"], 3);
}

TEST(InspectCli, JsonSurvivesTokensThatAreNotUtf8) {
  // Byte-level vocabularies hold tokens that are lone bytes (escaped as \xff in vocab.txt); JSON output must
  // still be produced rather than an internal serialization error.
  TempDir dir;
  const std::string npy = dir.file("tiny.npy"), vocab = dir.file("vocab.txt");
  formats::write_npy(npy, FloatMatrix{4, 2, false, kTiny});
  formats::write_vocab(vocab, {"a", "b", std::string("\xff"), "d"});
  const CliResult r = run_cli("inspect " + quoted(npy) + " --vocab " + quoted(vocab) + " --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["summary"]["largest_norms"][0]["id"], 2);
  EXPECT_EQ(j["summary"]["largest_norms"][0]["token"], "\xEF\xBF\xBD");  // U+FFFD stands in for the byte
}

// ---- the corpus yardstick (--corpus) -----------------------------------------------------------------

// A small word corpus with capitals and punctuation: 400 sentences drawn from a fixed grammar with a fixed seed
// (mt19937's output is fixed by the standard; `% n` keeps the draw the same on every standard library).
std::string write_word_corpus(const TempDir& dir) {
  const std::vector<std::string> subjects = {"The cat", "A dog", "The bird", "My neighbour", "The old man", "A child"};
  const std::vector<std::string> verbs = {"sat on", "looked at", "ran past", "jumped over", "slept near", "barked at"};
  const std::vector<std::string> objects = {"the mat.", "the rug!", "the fence.", "the garden,", "a tree.", "the house?"};
  std::mt19937 rng(20240520);
  std::string text;
  for (int i = 0; i < 400; ++i)
    text += subjects[rng() % subjects.size()] + " " + verbs[rng() % verbs.size()] + " " + objects[rng() % objects.size()] + "\n";
  const std::string path = dir.file("words.txt");
  write_bytes(path, text);
  return path;
}

// A short CPU run on the corpus, exported to dir/run (vectors.vec, embedding.npy, vocab.txt, summary.json).
std::string train_on(const TempDir& dir, const std::string& corpus, const std::string& tokenizer = "word") {
  const std::string run = dir.file("run");
  const CliResult r = run_cli("train --device cpu --corpus " + quoted(corpus) + " --tokenizer " + tokenizer +
                                  " --steps 200 --dim 8 --seed 3 --out " + quoted(run), dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return run;
}

nlohmann::json corpus_report(const std::string& args, const TempDir& dir) {
  const CliResult r = run_cli("inspect " + args + " --json", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? nlohmann::json::parse(r.out)["corpus"] : nlohmann::json();
}

TEST(InspectCorpus, GivesTrainsGeometryScoreForATableOfOurs) {
  TempDir dir;
  const std::string corpus = write_word_corpus(dir), run = train_on(dir, corpus);
  const nlohmann::json after = nlohmann::json::parse(testing_support::slurp(run + "/summary.json"))["geometry"]["after"];
  const double trained = after["geometry_score"].get<double>(), successor = after["successor_score"].get<double>();
  EXPECT_GT(std::fabs(trained) + std::fabs(successor), 0.01) << "a score of 0 would match anything";

  // train measures the text before its held-out tail (--val-fraction 0.1, counted in tokens of the whole
  // text), within --ctx 8 positions; inspect's defaults cut the same text at the same token.
  const nlohmann::json vec = corpus_report(quoted(run + "/vectors.vec") + " --corpus " + quoted(corpus), dir);
  ASSERT_FALSE(vec.is_null());
  EXPECT_NEAR(vec["geometry_score"].get<double>(), trained, 1e-9);
  EXPECT_NEAR(vec["successor_score"].get<double>(), successor, 1e-9);
  const std::int64_t tokens = vec["tokens"].get<std::int64_t>();
  EXPECT_EQ(vec["measured_tokens"].get<std::int64_t>(), tokens - std::llround(0.1 * static_cast<double>(tokens)));
  EXPECT_EQ(vec["mapped_tokens"], vec["measured_tokens"]);  // every word of the text has its row
  EXPECT_EQ(vec["dropped_tokens"], 0);
  ASSERT_EQ(vec["frequent"].size(), 5u);
  EXPECT_EQ(vec["frequent"][0]["token"], "the");  // lower-cased: "The" and "the" are one row
  EXPECT_EQ(vec["frequent"][0]["neighbors"].size(), 10u);  // inspect's default -k

  // The same table as .npy named by vocab.txt gives the same numbers.
  const nlohmann::json npy = corpus_report(quoted(run + "/embedding.npy") + " --vocab " + quoted(run + "/vocab.txt") +
                                               " --corpus " + quoted(corpus), dir);
  ASSERT_FALSE(npy.is_null());
  EXPECT_NEAR(npy["geometry_score"].get<double>(), trained, 1e-9);
  // The whole text (--val-fraction 0) is another stream, and a wider window another count: both move the score.
  const nlohmann::json whole =
      corpus_report(quoted(run + "/vectors.vec") + " --corpus " + quoted(corpus) + " --val-fraction 0", dir);
  EXPECT_EQ(whole["measured_tokens"], whole["tokens"]);
  EXPECT_NE(whole["geometry_score"].get<double>(), trained);
  const nlohmann::json wide = corpus_report(quoted(run + "/vectors.vec") + " --corpus " + quoted(corpus) + " --window 3", dir);
  EXPECT_NE(wide["geometry_score"].get<double>(), trained);
}

TEST(InspectCorpus, GivesTrainsScoresForCharacterTokensToo) {
  // Characters include the space and the newline, which the .vec stores escaped: they must find their rows.
  TempDir dir;
  const std::string corpus = write_word_corpus(dir), run = train_on(dir, corpus, "char");
  const nlohmann::json after = nlohmann::json::parse(testing_support::slurp(run + "/summary.json"))["geometry"]["after"];
  const nlohmann::json j =
      corpus_report(quoted(run + "/vectors.vec") + " --corpus " + quoted(corpus) + " --tokenizer char -k 2", dir);
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["dropped_tokens"], 0);
  EXPECT_EQ(j["frequent"][0]["token"], " ");
  EXPECT_NEAR(j["geometry_score"].get<double>(), after["geometry_score"].get<double>(), 1e-9);
  EXPECT_NEAR(j["successor_score"].get<double>(), after["successor_score"].get<double>(), 1e-9);
}

TEST(InspectCorpus, RowsAreMatchedByTheirWordsNotTheirPlaces) {
  TempDir dir;
  const std::string corpus = write_word_corpus(dir), run = train_on(dir, corpus);
  // The .vec with its rows in another order, as another tool might write the same table.
  std::istringstream in(testing_support::slurp(run + "/vectors.vec"));
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> rows;
  while (std::getline(in, line)) rows.push_back(line);
  ASSERT_GT(rows.size(), 1u);
  std::vector<std::string> shuffled = rows;
  std::rotate(shuffled.begin(), shuffled.begin() + 1, shuffled.end());  // every row moves up one place
  std::string text = header + "\n";
  for (const std::string& r : shuffled) text += r + "\n";
  const std::string moved = dir.file("shuffled.vec");
  write_bytes(moved, text);

  const nlohmann::json a = corpus_report(quoted(run + "/vectors.vec") + " --corpus " + quoted(corpus) + " -k 3", dir);
  const nlohmann::json b = corpus_report(quoted(moved) + " --corpus " + quoted(corpus) + " -k 3", dir);
  ASSERT_FALSE(a.is_null());
  ASSERT_FALSE(b.is_null());
  EXPECT_NEAR(b["geometry_score"].get<double>(), a["geometry_score"].get<double>(), 1e-12);
  EXPECT_NEAR(b["successor_score"].get<double>(), a["successor_score"].get<double>(), 1e-12);
  // The neighbours are the same words at the same cosines; only their row numbers differ.
  ASSERT_EQ(b["frequent"].size(), a["frequent"].size());
  for (std::size_t q = 0; q < a["frequent"].size(); ++q) {
    EXPECT_EQ(b["frequent"][q]["token"], a["frequent"][q]["token"]);
    EXPECT_NE(b["frequent"][q]["id"], a["frequent"][q]["id"]);
    for (std::size_t n = 0; n < a["frequent"][q]["neighbors"].size(); ++n) {
      EXPECT_EQ(b["frequent"][q]["neighbors"][n]["token"], a["frequent"][q]["neighbors"][n]["token"]);
      EXPECT_NEAR(b["frequent"][q]["neighbors"][n]["cosine"].get<double>(),
                  a["frequent"][q]["neighbors"][n]["cosine"].get<double>(), 1e-12);
    }
  }
}

TEST(InspectCorpus, TokensWithoutARowAreCountedAndDropped) {
  TempDir dir;
  // A table of another tool's vocabulary: four of the text's eight distinct tokens, in its own order.
  const std::string table = dir.file("other.vec"), corpus = dir.file("text.txt");
  const std::vector<float> values = {1, 0, 0.8f, 0.6f, 0, 1, -1, 0.2f};  // sat, mat, the, cat
  formats::write_word2vec_text(table, {"sat", "mat", "the", "cat"}, FloatMatrix{4, 2, false, values});
  // 14 tokens: the cat sat on the mat . the dog sat on the rug . — "on" ×2, "." ×2, "dog" and "rug" have no row.
  write_bytes(corpus, "The cat sat on the mat. The dog sat on the rug.\n");
  const CliResult r = run_cli("inspect " + quoted(table) + " --corpus " + quoted(corpus) + " --val-fraction 0 -k 2", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "14 of its 14 tokens measured")) << r.out;
  EXPECT_TRUE(contains(r.out, "8 have a row, 6 without one dropped (42.86%); 4 of 8 distinct tokens have a row")) << r.out;
  const nlohmann::json j = corpus_report(quoted(table) + " --corpus " + quoted(corpus) + " --val-fraction 0 -k 2", dir);
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["tokens"], 14);
  EXPECT_EQ(j["mapped_tokens"], 8);
  EXPECT_EQ(j["dropped_tokens"], 6);
  EXPECT_NEAR(j["dropped_fraction"].get<double>(), 6.0 / 14, 1e-12);
  EXPECT_EQ(j["distinct_tokens"], 8);
  EXPECT_EQ(j["distinct_mapped"], 4);
  EXPECT_EQ(j["score_tokens"], 4);
  // The scores are those of the stream with the rowless tokens taken out (in rows: the cat sat the mat the sat
  // the), within the default window of 8 and within --window 2, where "sat" reaches past "on" to "the".
  const std::vector<std::int32_t> kept = {2, 3, 0, 2, 1, 2, 0, 2};
  EXPECT_NEAR(j["geometry_score"].get<double>(),
              metrics::geometry_score(values, 4, 2, metrics::count_cooccurrence(kept, 4, 8)), 1e-12);
  EXPECT_NEAR(j["successor_score"].get<double>(),
              metrics::geometry_score(values, 4, 2, metrics::count_successors(kept, 4, 8)), 1e-12);
  const nlohmann::json narrow =
      corpus_report(quoted(table) + " --corpus " + quoted(corpus) + " --val-fraction 0 --window 2", dir);
  ASSERT_FALSE(narrow.is_null());
  EXPECT_NEAR(narrow["geometry_score"].get<double>(),
              metrics::geometry_score(values, 4, 2, metrics::count_cooccurrence(kept, 4, 2)), 1e-12);
  EXPECT_NEAR(narrow["successor_score"].get<double>(),
              metrics::geometry_score(values, 4, 2, metrics::count_successors(kept, 4, 2)), 1e-12);
  // The most frequent mapped tokens come first: "the" (4 times), then "sat" (twice).
  ASSERT_EQ(j["frequent"].size(), 4u);
  EXPECT_EQ(j["frequent"][0]["token"], "the");
  EXPECT_EQ(j["frequent"][0]["count"], 4);
  EXPECT_EQ(j["frequent"][1]["token"], "sat");
  // By default the last 10% of the 14 tokens (1, the final ".") is held out, as train would.
  const nlohmann::json held = corpus_report(quoted(table) + " --corpus " + quoted(corpus), dir);
  EXPECT_EQ(held["measured_tokens"], 13);
  EXPECT_EQ(held["dropped_tokens"], 5);
}

TEST(InspectCorpus, BadInputFailsInOneLine) {
  TempDir dir;
  const std::string tiny = write_tiny_vec(dir), corpus = dir.file("text.txt"), other = dir.file("other.txt");
  write_bytes(corpus, "a b c d a b c d a b\n");
  write_bytes(other, "nothing here matches these rows\n");  // 5 tokens, the last held out
  const std::string table = quoted(tiny) + " --corpus ";
  expect_one_line_error(run_cli("inspect " + table + quoted(dir.file("absent.txt")), dir), "cannot open '");
  expect_one_line_error(run_cli("inspect " + table + quoted(other), dir),
                        "0 of the 4 tokens measured have a row in " + tiny + "; the scores need at least 2");
  write_bytes(other, "a, nothing else\n");
  expect_one_line_error(run_cli("inspect " + table + quoted(other) + " --val-fraction 0", dir), "1 of the 4 tokens measured");
  expect_one_line_error(run_cli("inspect " + table + quoted(corpus) + " --window 0", dir),
                        "--window must be in [1, 4096], got 0");
  expect_one_line_error(run_cli("inspect " + table + quoted(corpus) + " --window 4097", dir),
                        "--window must be in [1, 4096], got 4097");
  expect_one_line_error(run_cli("inspect " + table + quoted(corpus) + " --tokenizer bpe", dir),
                        "--tokenizer must be word or char, got 'bpe'");
  expect_one_line_error(run_cli("inspect " + table + quoted(corpus) + " --val-fraction 1", dir),
                        "--val-fraction must be in [0, 1), got 1");
  expect_one_line_error(run_cli("inspect " + quoted(tiny) + " --window 4", dir), "--window requires --corpus");
  // Rows without names cannot be matched to words.
  const std::string npy = dir.file("tiny.npy");
  formats::write_npy(npy, FloatMatrix{4, 2, false, kTiny});
  expect_one_line_error(run_cli("inspect " + quoted(npy) + " --corpus " + quoted(corpus), dir),
                        "have none; name them with --vocab");
}

TEST(Params, PresetsAndCustomTables) {
  TempDir dir;
  // LLaMA 3.2 1B: 128256 × 2048 = 262,668,288, 21.3% of its 1,235,814,400 parameters.
  CliResult r = run_cli("params --preset llama-3.2-1b", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "262668288")) << r.out;
  EXPECT_TRUE(contains(r.out, "21.3%")) << r.out;
  EXPECT_FALSE(contains(r.out, "gpt2")) << "only the chosen preset: " << r.out;

  r = run_cli("params --vocab 10 --dim 3", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t custom = r.out.find("custom");
  ASSERT_NE(custom, std::string::npos) << r.out;
  const std::string line = r.out.substr(custom, r.out.find('\n', custom) - custom);
  EXPECT_TRUE(contains(line, " 30 ")) << line;  // 10 × 3

  expect_one_line_error(run_cli("params --preset nope", dir), "unknown --preset 'nope'");
  expect_one_line_error(run_cli("params --vocab 10", dir), "needs both --vocab and --dim");
}

// ---- a table of LLaMA-3.2-1B's shape, end to end -----------------------------------------------------

// Uniform in [−0.05, 0.05), from a hash of the element's position (splitmix64), so any value can be
// recomputed for checking without keeping the table.
float noise(std::uint64_t row, std::uint64_t col) {
  std::uint64_t z = row * 2048 + col + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (static_cast<float>(z >> 40) / 16777216.0f - 0.5f) * 0.1f;
}

constexpr int kLlamaV = 128256, kLlamaD = 2048;
constexpr int kPlantedQuery = 5, kPlantedNeighbor = 70000;

// Row 0 is zero (the smallest norm), row 70000 is row 5 plus a tenth of its own noise (cosine ≈ 1/√1.01
// ≈ 0.995 with row 5, where unrelated rows in 2048 dims sit near 0 ± 0.1), and the last row is 4× noise
// (norm ≈ 4·0.0289·√2048 ≈ 5.2 against ≈ 1.3 for the rest): the largest.
float llama_value(int row, int col) {
  if (row == 0) return 0;
  if (row == kPlantedNeighbor) return noise(kPlantedQuery, col) + 0.1f * noise(row, col);
  if (row == kLlamaV - 1) return 4 * noise(row, col);
  return noise(row, col);
}

float stored(int row, int col) { return formats::bf16_to_float(formats::float_to_bf16(llama_value(row, col))); }

TEST(InspectLlamaShape, Bf16SafetensorsEndToEnd) {
  const auto start = std::chrono::steady_clock::now();
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  const std::uint64_t table_bytes = std::uint64_t{kLlamaV} * kLlamaD * 2;  // 525,336,576
  // The final norm's weight (1-D, 2048 BF16) follows the table, as in a real checkpoint; it must not be picked.
  const std::string header = "{\"model.embed_tokens.weight\":{\"dtype\":\"BF16\",\"shape\":[128256,2048],"
                             "\"data_offsets\":[0," + std::to_string(table_bytes) + "]},"
                             "\"model.norm.weight\":{\"dtype\":\"BF16\",\"shape\":[2048],\"data_offsets\":[" +
                             std::to_string(table_bytes) + "," + std::to_string(table_bytes + 2 * kLlamaD) + "]}}";
  // Statistics of what is written, accumulated in double alongside, to check summarize_table against.
  double sum = 0, sum_sq = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  {
    std::ofstream out(path, std::ios::binary);
    out << safetensors_file(header, "");
    constexpr int kChunkRows = 1024;
    std::vector<char> chunk(static_cast<std::size_t>(kChunkRows) * kLlamaD * 2);
    for (int first = 0; first < kLlamaV; first += kChunkRows) {
      const int rows = std::min(kChunkRows, kLlamaV - first);
      char* p = chunk.data();
      for (int r = first; r < first + rows; ++r)
        for (int d = 0; d < kLlamaD; ++d) {
          const std::uint16_t bits = formats::float_to_bf16(llama_value(r, d));
          const double v = formats::bf16_to_float(bits);
          sum += v;
          sum_sq += v * v;
          lo = std::min(lo, v);
          hi = std::max(hi, v);
          *p++ = static_cast<char>(bits & 0xFF);
          *p++ = static_cast<char>(bits >> 8);
        }
      out.write(chunk.data(), static_cast<std::streamsize>(rows) * kLlamaD * 2);
    }
    const std::vector<std::uint16_t> ones(kLlamaD, formats::float_to_bf16(1.0f));
    out << u16_bytes(ones);
    ASSERT_TRUE(out.good());
  }
  // Phase times are printed so a slow CI run shows where the time went.
  auto seconds_since = [](std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const double written = seconds_since(start);
  const auto load_start = std::chrono::steady_clock::now();

  const EmbeddingTable t = load_embedding_table(path, "", "");
  EXPECT_EQ(t.tensor, "model.embed_tokens.weight");
  EXPECT_EQ(t.dtype, "BF16");
  ASSERT_EQ(t.V, kLlamaV);
  ASSERT_EQ(t.D, kLlamaD);
  ASSERT_EQ(t.values.size(), static_cast<std::size_t>(kLlamaV) * kLlamaD);
  for (const auto& [r, d] : std::vector<std::pair<int, int>>{{0, 0}, {1, 0}, {5, 2047}, {70000, 123}, {128255, 2047}})
    EXPECT_EQ(t.values[static_cast<std::size_t>(r) * kLlamaD + d], stored(r, d)) << r << "," << d;
  EXPECT_EQ(t.tokens.back(), "#128255");
  const double loaded = seconds_since(load_start);

  const auto summary_start = std::chrono::steady_clock::now();
  const TableSummary s = summarize_table(t);
  const double summarized = seconds_since(summary_start);
  const double n = static_cast<double>(t.values.size()), mean = sum / n;
  EXPECT_EQ(s.parameters, 262668288);
  EXPECT_NEAR(s.mean, mean, 1e-9);
  EXPECT_NEAR(s.stddev, std::sqrt(sum_sq / n - mean * mean), 1e-9);
  EXPECT_EQ(s.min, lo);
  EXPECT_EQ(s.max, hi);
  EXPECT_EQ(s.largest.front().id, kLlamaV - 1);
  EXPECT_GT(s.largest.front().norm, 4.5);
  EXPECT_EQ(s.smallest.front().id, 0);
  EXPECT_EQ(s.smallest.front().norm, 0);

  const auto query_start = std::chrono::steady_clock::now();
  const auto index = make_cpu_neighbor_index(t.values, t.V, t.D);
  const auto found = index->query(row_of(t.values, t.D, kPlantedQuery), 3, {kPlantedQuery});
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].id, kPlantedNeighbor);
  EXPECT_NEAR(found[0].cosine, 1 / std::sqrt(1.01), 0.01);
  EXPECT_LT(found[1].cosine, 0.2);  // the planted pair is alone, far above chance
  std::printf("  128256x2048 BF16: write %.1f s, load %.1f s, summary %.1f s, index + query %.1f s, total %.1f s\n",
              written, loaded, summarized, seconds_since(query_start), seconds_since(start));
}

}  // namespace
}  // namespace embgeo

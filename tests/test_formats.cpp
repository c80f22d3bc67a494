// File formats: every writer read back by its reader, hand-made malformed files rejected with a message
// that names the problem, token escaping and half-precision conversions checked exhaustively, and — when
// the Debian python3-numpy / python3-gensim packages are installed — our files loaded by the real tools.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "embgeo/error.hpp"
#include "formats/formats.hpp"
#include "test_support.hpp"

namespace embgeo {
namespace {

using namespace formats;
namespace fs = std::filesystem;

// A fresh directory per test, removed with everything in it afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / (std::string("embgeo_formats_") + test->name() + "_" +
                                         std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

const std::uint8_t* data_of(const std::string& bytes) { return reinterpret_cast<const std::uint8_t*>(bytes.data()); }

using testing_support::error_of;

// The message is one line that starts with the label and mentions `needle`.
template <typename Call>
void expect_error(Call call, const std::string& label, const std::string& needle) {
  const std::string message = error_of(call);
  EXPECT_EQ(message.rfind(label + ": ", 0), 0u) << "message: " << message;
  EXPECT_NE(message.find(needle), std::string::npos) << "expected '" << needle << "' in: " << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

using testing_support::f32_bytes;
using testing_support::le_bytes;

std::uint32_t bits_of(float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, 4);
  return bits;
}

std::vector<std::uint32_t> bits_of(const std::vector<float>& values) {
  std::vector<std::uint32_t> bits;
  for (const float v : values) bits.push_back(bits_of(v));
  return bits;
}

void expect_same_bits(const std::vector<float>& got, const std::vector<float>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(bits_of(got[i]), bits_of(expected[i])) << "element " << i << ": " << got[i] << " vs " << expected[i];
}

FloatMatrix matrix(std::int64_t rows, std::int64_t cols, std::vector<float> values) {
  FloatMatrix m;
  m.rows = rows, m.cols = cols, m.values = std::move(values);
  return m;
}

FloatMatrix vector_of(std::vector<float> values) {
  const auto rows = static_cast<std::int64_t>(values.size());
  FloatMatrix m = matrix(rows, 1, std::move(values));
  m.is_vector = true;
  return m;
}

// Tokens that break naive line/field formats: what a character or byte-level tokenizer produces.
const std::vector<std::string>& awkward_tokens() {
  static const std::vector<std::string> tokens = {
      "the", " ", "\n", "\t", "\r", "", "\\", "a b", "back\\slash", "\\e", "\\s", "h\xC3\xA9llo", "\xE2\x82",
      std::string("nul\0byte", 8), "\x7f", "\xF0\x9F\x98\x80"};
  return tokens;
}

FloatMatrix awkward_values(std::int64_t rows, std::int64_t cols) {
  const float specials[] = {0.1f, -0.0f, 1e-45f, 3.4028235e38f, -1.17549435e-38f, 1.0f / 3.0f,
                            123456789.0f, std::numeric_limits<float>::infinity(), -2.5f};
  FloatMatrix m = matrix(rows, cols, {});
  for (std::int64_t i = 0; i < rows * cols; ++i) m.values.push_back(specials[i % 9] * (i % 2 ? -1.0f : 1.0f));
  return m;
}

// ---- safetensors ----------------------------------------------------------------------------------------

std::string safetensors_file(const std::string& header, const std::string& data) {
  return le_bytes(header.size(), 8) + header + data;
}

SafetensorsHeader parse_st(const std::string& bytes) { return parse_safetensors(data_of(bytes), bytes.size(), "t.st"); }

TEST(Safetensors, RoundTripsMatricesVectorsAndMetadata) {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  const FloatMatrix embedding = awkward_values(3, 2), bias = vector_of({1.5f, -2.0f, 0.25f}), empty = matrix(0, 4, {});
  write_safetensors(path, {{"embedding", embedding}, {"head.bias", bias}, {"empty", empty}},
                    {{"seed", "42"}, {"format", "pt"}});

  const MappedFile file(path);
  const SafetensorsHeader header = parse_safetensors(file.data(), file.size(), path);
  EXPECT_EQ(header.data_start % 8, 0u);
  EXPECT_EQ(header.metadata, (std::map<std::string, std::string>{{"seed", "42"}, {"format", "pt"}}));
  ASSERT_EQ(header.tensors.size(), 3u);
  EXPECT_EQ(header.tensors[0].name, "embedding");
  EXPECT_EQ(header.tensors[0].dtype, "F32");
  EXPECT_EQ(header.tensors[0].shape, (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(header.tensors[1].shape, (std::vector<std::int64_t>{3}));
  EXPECT_EQ(header.tensors[2].shape, (std::vector<std::int64_t>{0, 4}));
  EXPECT_EQ(read_bytes(path).substr(8, 16), "{\"__metadata__\":");

  const FloatMatrix e = load_safetensors_tensor(file.data(), file.size(), header, "embedding", path);
  EXPECT_EQ(e.rows, 3);
  EXPECT_EQ(e.cols, 2);
  EXPECT_FALSE(e.is_vector);
  expect_same_bits(e.values, embedding.values);
  const FloatMatrix b = load_safetensors_tensor(file.data(), file.size(), header, "head.bias", path);
  EXPECT_TRUE(b.is_vector);
  EXPECT_EQ(b.rows, 3);
  EXPECT_EQ(b.cols, 1);
  expect_same_bits(b.values, bias.values);
  const FloatMatrix z = load_safetensors_tensor(file.data(), file.size(), header, "empty", path);
  EXPECT_EQ(z.rows, 0);
  EXPECT_EQ(z.cols, 4);
  EXPECT_TRUE(z.values.empty());
}

TEST(Safetensors, WriterOmitsEmptyMetadataAndRejectsBadInput) {
  TempDir dir;
  const std::string path = dir.file("m.safetensors");
  write_safetensors(path, {{"w", matrix(1, 1, {7.0f})}}, {});
  const std::string bytes = read_bytes(path);
  EXPECT_EQ(bytes.find("__metadata__"), std::string::npos);
  EXPECT_EQ(bytes.size(), parse_st(bytes).data_start + 4);

  expect_error([&] { write_safetensors(path, {{"w", matrix(1, 1, {1})}, {"w", matrix(1, 1, {2})}}, {}); }, path,
               "appears twice");
  expect_error([&] { write_safetensors(path, {{"__metadata__", matrix(1, 1, {1})}}, {}); }, path, "reserved");
  expect_error([&] { write_safetensors(path, {{"w", matrix(2, 2, {1, 2, 3})}}, {}); }, path, "needs 4 values");
  EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid())));
}

TEST(Safetensors, RejectsFileShorterThanTheLengthField) {
  const std::string bytes = "abc";
  expect_error([&] { parse_st(bytes); }, "t.st", "too short");
}

TEST(Safetensors, RejectsHeaderLengthBeyondTheFile) {
  const std::string bytes = le_bytes(9999, 8) + "{}";
  expect_error([&] { parse_st(bytes); }, "t.st", "header length 9999 exceeds file size 10");
  expect_error([&] { parse_st(le_bytes(~0ull, 8) + "{}"); }, "t.st", "limit");
}

TEST(Safetensors, RejectsInvalidJson) {
  expect_error([&] { parse_st(safetensors_file("{\"a\": ", "")); }, "t.st", "not valid JSON");
  expect_error([&] { parse_st(safetensors_file("[1, 2]", "")); }, "t.st", "start with '{'");
  expect_error([&] { parse_st(safetensors_file("{\"a\": \"\xff\"}", "")); }, "t.st", "not valid JSON");
}

TEST(Safetensors, RejectsDuplicateKeys) {
  const std::string header =
      R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  expect_error([&] { parse_st(safetensors_file(header, f32_bytes({1}))); }, "t.st", "repeats the key \"t\"");
}

// A value nested 100k levels deep, wherever it sits, is refused while parsing: quoting one in a message
// used to overflow the stack in nlohmann's recursive dump.
TEST(Safetensors, RejectsDeeplyNestedHeaders) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  for (const std::string& header :
       {"{\"t\":" + deep + "}", "{\"__metadata__\":" + deep + "}",
        R"({"t":{"dtype":"F32","shape":)" + deep + R"(,"data_offsets":[0,4]}})",
        R"({"t":{"dtype":"F32","shape":[1],"data_offsets":)" + deep + "}}",
        R"({"t":{"dtype":)" + deep + R"(,"shape":[1],"data_offsets":[0,4]}})"})
    expect_error([&] { parse_st(safetensors_file(header, f32_bytes({1}))); }, "t.st", "nested deeper than 64 levels");
}

// A bad value that is merely large or as deep as allowed is quoted in a few dozen bytes.
TEST(Safetensors, QuotesBadValuesBriefly) {
  const std::string deep = std::string(63, '[') + std::string(63, ']');
  std::string wide = "[1";
  for (int i = 0; i < 100000; ++i) wide += ",1";
  for (const std::string& value : {deep, wide + "]", "\"" + std::string(200000, 'x') + "\""}) {
    const std::string message = error_of([&] { parse_st(safetensors_file("{\"t\":" + value + "}", "")); });
    EXPECT_NE(message.find("tensor 't' must be an object, got "), std::string::npos) << message.substr(0, 300);
    EXPECT_LT(message.size(), 250u) << message.substr(0, 300);
  }
}

TEST(Safetensors, RejectsUnknownDtype) {
  const std::string header = R"({"t":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}})";
  expect_error([&] { parse_st(safetensors_file(header, f32_bytes({1}))); }, "t.st", "unknown dtype 'F31'");
  // Names come from the file: a newline in one must not break the one-line message.
  const std::string hostile = R"({"evil\nname":{"dtype":"X\r","shape":[1],"data_offsets":[0,4]}})";
  expect_error([&] { parse_st(safetensors_file(hostile, f32_bytes({1}))); }, "t.st",
               "tensor 'evil\\x0aname' has unknown dtype 'X\\x0d'");
}

TEST(Safetensors, RejectsShapeThatDisagreesWithByteCount) {
  const std::string header = R"({"t":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})";
  expect_error([&] { parse_st(safetensors_file(header, f32_bytes({1, 2, 3}))); }, "t.st",
               "tensor 't' of dtype F32 and shape [2, 2] needs 16 bytes");
}

TEST(Safetensors, RejectsNegativeAndOverflowingShapes) {
  const std::string negative = R"({"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})";
  expect_error([&] { parse_st(safetensors_file(negative, "")); }, "t.st", "non-negative integer");
  const std::string huge = R"({"t":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})";
  expect_error([&] { parse_st(safetensors_file(huge, "")); }, "t.st", "overflows");
}

TEST(Safetensors, RejectsOverlappingOffsets) {
  const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  expect_error([&] { parse_st(safetensors_file(header, f32_bytes({1, 2, 3}))); }, "t.st",
               "tensor 'b' data_offsets [4, 12] overlap tensor 'a' [0, 8]");
}

TEST(Safetensors, RejectsOffsetsOutsideTheDataSection) {
  const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  expect_error([&] { parse_st(safetensors_file(header, f32_bytes({1}))); }, "t.st",
               "data_offsets [0, 8] exceed the data section of 4 bytes");
  const std::string reversed = R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})";
  expect_error([&] { parse_st(safetensors_file(reversed, f32_bytes({1}))); }, "t.st", "end before they begin");
}

TEST(Safetensors, RejectsGapsInCoverage) {
  const std::string middle = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                             R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
  expect_error([&] { parse_st(safetensors_file(middle, f32_bytes({1, 2, 3}))); }, "t.st",
               "gap in the data section: bytes [4, 8)");
  const std::string tail = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  expect_error([&] { parse_st(safetensors_file(tail, f32_bytes({1, 2}))); }, "t.st", "gap in the data section");
}

TEST(Safetensors, DecodesF16AndBf16) {
  // F16: 1, -2, 0x3555 ≈ 1/3, largest finite, smallest subnormal, +inf. BF16: 1, -3, 0x3EAB ≈ 1/3, -inf.
  const std::uint16_t f16[] = {0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x7C00};
  const std::uint16_t bf16[] = {0x3F80, 0xC040, 0x3EAB, 0xFF80};
  std::string data;
  for (const std::uint16_t h : f16) data += le_bytes(h, 2);
  for (const std::uint16_t h : bf16) data += le_bytes(h, 2);
  const std::string header = R"({"h":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},)"
                             R"("b":{"dtype":"BF16","shape":[4],"data_offsets":[12,20]}})";
  const std::string bytes = safetensors_file(header, data);
  const SafetensorsHeader parsed = parse_st(bytes);

  const FloatMatrix h = load_safetensors_tensor(data_of(bytes), bytes.size(), parsed, "h", "t.st");
  EXPECT_EQ(h.rows, 2);
  EXPECT_EQ(h.cols, 3);
  const float inf = std::numeric_limits<float>::infinity();
  expect_same_bits(h.values, {1.0f, -2.0f, 0.333251953125f, 65504.0f, 0x1p-24f, inf});
  const FloatMatrix b = load_safetensors_tensor(data_of(bytes), bytes.size(), parsed, "b", "t.st");
  EXPECT_TRUE(b.is_vector);
  expect_same_bits(b.values, {1.0f, -3.0f, 0.333984375f, -inf});
}

TEST(Safetensors, LoadRejectsUnknownNamesOtherDtypesAndRanks) {
  const std::string header = R"({"ids":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},)"
                             R"("cube":{"dtype":"F32","shape":[1,1,1],"data_offsets":[4,8]}})";
  const std::string bytes = safetensors_file(header, f32_bytes({1, 2}));
  const SafetensorsHeader parsed = parse_st(bytes);
  const auto load = [&](const std::string& name) {
    return [&, name] { load_safetensors_tensor(data_of(bytes), bytes.size(), parsed, name, "t.st"); };
  };
  expect_error(load("embedding"), "t.st", "no tensor named 'embedding'; available: ids, cube");
  expect_error(load("ids"), "t.st", "has dtype I32; only F32, F16, BF16 and F64");
  expect_error(load("cube"), "t.st", "rank 3");
}

TEST(Safetensors, AcceptsUnalignedHeaderAndEveryDtypeName) {
  // Readers must not insist on the writer's padding; sub-byte dtypes size by bits.
  const std::string header = R"({"q":{"dtype":"F4","shape":[4],"data_offsets":[0,2]},)"
                             R"("r":{"dtype":"C64","shape":[1],"data_offsets":[2,10]}})";
  const SafetensorsHeader parsed = parse_st(safetensors_file(header, std::string(10, '\0')));
  ASSERT_EQ(parsed.tensors.size(), 2u);
  EXPECT_EQ(parsed.tensors[0].name, "q");
  const std::string odd = R"({"q":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})";
  expect_error([&] { parse_st(safetensors_file(odd, std::string(2, '\0'))); }, "t.st", "byte boundary");
}

// ---- .npy -----------------------------------------------------------------------------------------------

std::string npy_file(int major, const std::string& dict, const std::string& data) {
  std::string header = dict + "\n";
  return std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0' +
         le_bytes(header.size(), major == 1 ? 2 : 4) + header + data;
}

FloatMatrix parse_n(const std::string& bytes) { return parse_npy(data_of(bytes), bytes.size(), "a.npy"); }

TEST(Npy, RoundTripsMatrixVectorAndEmpty) {
  TempDir dir;
  const std::string path = dir.file("e.npy");
  for (const FloatMatrix& m : {awkward_values(4, 3), vector_of({1, 2, 3}), matrix(0, 5, {})}) {
    write_npy(path, m);
    const MappedFile file(path);
    const FloatMatrix back = parse_npy(file.data(), file.size(), path);
    EXPECT_EQ(back.rows, m.rows);
    EXPECT_EQ(back.cols, m.cols);
    EXPECT_EQ(back.is_vector, m.is_vector);
    expect_same_bits(back.values, m.values);
  }
}

TEST(Npy, WritesTheHeaderNumpyWrites) {
  TempDir dir;
  const std::string path = dir.file("h.npy");
  write_npy(path, matrix(2, 3, {1, 2, 3, 4, 5, 6}));
  const std::string bytes = read_bytes(path);
  ASSERT_EQ(bytes.size(), 128u + 24u);
  EXPECT_EQ(bytes.substr(0, 10), std::string("\x93NUMPY\x01\x00\x76\x00", 10));
  EXPECT_EQ(bytes.substr(10, 59), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  EXPECT_EQ(bytes.substr(69, 59), std::string(58, ' ') + "\n");
  write_npy(path, vector_of({1}));
  EXPECT_NE(read_bytes(path).find("'shape': (1,), }"), std::string::npos);
}

TEST(Npy, RejectsBadMagic) {
  expect_error([&] { parse_n("\x93NUMPX\x01\x00"); }, "a.npy", "bad magic");
  expect_error([&] { parse_n("\x93NU"); }, "a.npy", "truncated");
}

TEST(Npy, RejectsUnknownVersion) {
  const std::string bytes = npy_file(4, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", f32_bytes({1}));
  expect_error([&] { parse_n(bytes); }, "a.npy", "unknown .npy version 4.0");
}

TEST(Npy, RejectsFortranOrder) {
  const std::string dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
  const std::string bytes = npy_file(1, dict, f32_bytes({1, 2, 3, 4}));
  expect_error([&] { parse_n(bytes); }, "a.npy", "Fortran-order");
}

TEST(Npy, RejectsBigEndianAndOtherDtypes) {
  expect_error([&] { parse_n(npy_file(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "\0\0\0\0")); },
               "a.npy", "big-endian dtype '>f4'");
  expect_error([&] { parse_n(npy_file(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", "\0\0\0\0")); },
               "a.npy", "unsupported dtype '<i4'");
}

TEST(Npy, RejectsTruncatedAndOverlongData) {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  expect_error([&] { parse_n(npy_file(1, dict, f32_bytes({1, 2, 3, 4, 5}))); }, "a.npy",
               "truncated: array data needs 24 bytes");
  expect_error([&] { parse_n(npy_file(1, dict, f32_bytes({1, 2, 3, 4, 5, 6, 7}))); }, "a.npy",
               "4 unexpected bytes after the array data");
}

TEST(Npy, RejectsMalformedHeaders) {
  const auto with_shape = [](const std::string& shape) {
    return npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }", f32_bytes({1}));
  };
  expect_error([&] { parse_n(with_shape("(1)")); }, "a.npy", "trailing comma");
  expect_error([&] { parse_n(with_shape("(1, 1, 1)")); }, "a.npy", "rank 3");
  expect_error([&] { parse_n(with_shape("()")); }, "a.npy", "rank 0");
  expect_error([&] { parse_n(with_shape("(99999999999999999999,)")); }, "a.npy", "too large");
  expect_error([&] { parse_n(with_shape("(4294967296, 4294967296)")); }, "a.npy", "overflows");
  expect_error([&] { parse_n(npy_file(1, "{'descr': '<f4', 'shape': (1,)}", f32_bytes({1}))); }, "a.npy",
               "needs the keys");
  expect_error([&] { parse_n(npy_file(1, "{'descr': '<f4', 'descr': '<f4'}", "")); }, "a.npy", "repeated key");
}

TEST(Npy, ReadsVersion2HeadersAndWiderOrNarrowerFloats) {
  std::string f64;
  for (const double v : {0.5, -1e300, 3.0}) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    f64 += le_bytes(bits, 8);
  }
  // Python's own spelling: double quotes, no spaces, no trailing comma.
  const FloatMatrix wide = parse_n(npy_file(2, R"({"descr":"<f8","fortran_order":False,"shape":(3,)})", f64));
  EXPECT_TRUE(wide.is_vector);
  expect_same_bits(wide.values, {0.5f, -std::numeric_limits<float>::infinity(), 3.0f});

  const FloatMatrix half = parse_n(npy_file(2, "{'descr': '<f2', 'fortran_order': False, 'shape': (1, 2), }",
                                            le_bytes(0x3C00, 2) + le_bytes(0xB800, 2)));
  EXPECT_EQ(half.rows, 1);
  EXPECT_EQ(half.cols, 2);
  expect_same_bits(half.values, {1.0f, -0.5f});
}

// ---- word2vec text --------------------------------------------------------------------------------------

WordVectors parse_v(const std::string& text, TokenEncoding encoding = TokenEncoding::escaped) {
  return parse_word2vec_text(data_of(text), text.size(), "w.vec", encoding);
}

TEST(Word2VecText, RoundTripsAwkwardTokensAndValues) {
  TempDir dir;
  const std::string path = dir.file("e.vec");
  const std::vector<std::string>& tokens = awkward_tokens();
  const FloatMatrix vectors = awkward_values(static_cast<std::int64_t>(tokens.size()), 3);
  write_word2vec_text(path, tokens, vectors);

  const std::string text = read_bytes(path);
  EXPECT_EQ(text.rfind("16 3\nthe 0.1 ", 0), 0u) << text.substr(0, 40);
  const WordVectors back = parse_v(text);
  EXPECT_EQ(back.tokens, tokens);
  EXPECT_EQ(back.vectors.rows, 16);
  EXPECT_EQ(back.vectors.cols, 3);
  expect_same_bits(back.vectors.values, vectors.values);
}

TEST(Word2VecText, AcceptsFastTextTrailingSpacesAndCrlf) {
  const WordVectors v = parse_v("2 2 \r\na 1 2 \r\nb 3 4 \r\n\n");
  EXPECT_EQ(v.tokens, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(v.vectors.values, (std::vector<float>{1, 2, 3, 4}));
  const WordVectors last_line_unterminated = parse_v("1 1\nx -1.5e3");
  EXPECT_EQ(last_line_unterminated.vectors.values, (std::vector<float>{-1500}));
}

TEST(Word2VecText, KeepsDuplicateTokensAsRows) {
  const WordVectors v = parse_v("2 1\na 1\na 2\n");
  EXPECT_EQ(v.tokens, (std::vector<std::string>{"a", "a"}));
  EXPECT_EQ(v.vectors.values, (std::vector<float>{1, 2}));
}

TEST(Word2VecText, RawEncodingKeepsBackslashes) {
  EXPECT_EQ(parse_v("1 1\nC:\\x 1\n", TokenEncoding::raw).tokens, (std::vector<std::string>{"C:\\x"}));
  expect_error([&] { parse_v("1 1\nC:\\x 1\n"); }, "w.vec", "line 2: malformed token escape");
}

TEST(Word2VecText, RejectsBadHeader) {
  for (const std::string text : {"", "3\n", "a b\n", "2 -1\n", "2 0\n", "-2 3\n", "2  3\n", "2 3 4\n"})
    expect_error([&] { parse_v(text); }, "w.vec", text.empty() ? "file is empty" : "line 1: expected the header");
  expect_error([&] { parse_v("9223372036854775807 9223372036854775807\n"); }, "w.vec", "overflows");
}

TEST(Word2VecText, RejectsRaggedRows) {
  expect_error([&] { parse_v("2 3\na 1 2 3\nb 1 2\n"); }, "w.vec",
               "line 3: expected 3 values after the token but found 2");
  expect_error([&] { parse_v("1 2\na 1 2 3\n"); }, "w.vec", "line 2: expected 2 values after the token but found 3");
  expect_error([&] { parse_v("1 2\na\n"); }, "w.vec", "found 0");
  expect_error([&] { parse_v("1 2\na 1  2\n"); }, "w.vec", "found 3");
}

TEST(Word2VecText, RejectsNonNumericValues) {
  expect_error([&] { parse_v("1 2\na 1 x\n"); }, "w.vec", "line 2: value 2 'x' is not a float32 number");
  expect_error([&] { parse_v("1 2\na 1 1e99\n"); }, "w.vec", "not a float32");
  expect_error([&] { parse_v("1 1\na 1,5\n"); }, "w.vec", "not a float32");
}

TEST(Word2VecText, RejectsWrongRowCounts) {
  expect_error([&] { parse_v("3 2\na 1 2\n"); }, "w.vec", "file ends after 1 of the 3 rows");
  expect_error([&] { parse_v("1 2\na 1 2\nb 3 4\n"); }, "w.vec", "line 3: more rows than the 1");
}

TEST(Word2VecText, WriterChecksTokenCount) {
  TempDir dir;
  const std::string path = dir.file("bad.vec");
  expect_error([&] { write_word2vec_text(path, {"a"}, matrix(2, 1, {1, 2})); }, path, "1 tokens for 2 vector rows");
  expect_error([&] { write_word2vec_text(path, {}, matrix(0, 0, {})); }, path, "at least one column");
  EXPECT_FALSE(fs::exists(path));
}

// ---- projector TSV and vocab.txt ------------------------------------------------------------------------

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ProjectorTsv, WritesOneRowPerTokenWithoutHeader) {
  TempDir dir;
  const std::vector<std::string>& tokens = awkward_tokens();
  const FloatMatrix vectors = awkward_values(static_cast<std::int64_t>(tokens.size()), 2);
  write_projector_tsv(dir.file("vectors.tsv"), dir.file("metadata.tsv"), tokens, vectors);

  const std::vector<std::string> rows = lines_of(read_bytes(dir.file("vectors.tsv")));
  const std::vector<std::string> names = lines_of(read_bytes(dir.file("metadata.tsv")));
  ASSERT_EQ(rows.size(), tokens.size());
  ASSERT_EQ(names.size(), tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(unescape_token(names[i]), tokens[i]);
    const std::size_t tab = rows[i].find('\t');
    ASSERT_NE(tab, std::string::npos) << rows[i];
    EXPECT_EQ(rows[i].find('\t', tab + 1), std::string::npos) << rows[i];
    EXPECT_EQ(bits_of(std::strtof(rows[i].c_str(), nullptr)), bits_of(vectors.values[2 * i])) << rows[i];
    EXPECT_EQ(bits_of(std::strtof(rows[i].c_str() + tab + 1, nullptr)), bits_of(vectors.values[2 * i + 1])) << rows[i];
  }
}

TEST(Vocab, RoundTripsAwkwardTokens) {
  TempDir dir;
  const std::string path = dir.file("vocab.txt");
  write_vocab(path, awkward_tokens());
  EXPECT_EQ(read_vocab(path), awkward_tokens());
  EXPECT_EQ(lines_of(read_bytes(path)).size(), awkward_tokens().size());
}

TEST(Vocab, AcceptsCrlfAndMissingFinalNewline) {
  const std::string text = "a\r\n\\s\r\nb";
  EXPECT_EQ(parse_vocab(data_of(text), text.size(), "v.txt"), (std::vector<std::string>{"a", " ", "b"}));
}

TEST(Vocab, RejectsEmptyLinesAndMalformedEscapes) {
  const auto parse = [](const std::string& text) {
    return [text] { parse_vocab(data_of(text), text.size(), "v.txt"); };
  };
  expect_error(parse("a\n\nb\n"), "v.txt", "line 2 is empty");
  expect_error(parse("a\nb\\q\n"), "v.txt", "line 2: malformed token escape");
  // A repeated token would hide its second row from every lookup by name.
  expect_error(parse("a\nb\na\n"), "v.txt", "line 3 repeats the token 'a' of line 1");
  expect_error(parse("\\s\nb\n \n"), "v.txt", "line 3 repeats the token '\\s' of line 1");
  TempDir dir;
  write_bytes(dir.file("empty.txt"), "");
  expect_error([&] { read_vocab(dir.file("empty.txt")); }, dir.file("empty.txt"), "file is empty");
}

// ---- token escaping -------------------------------------------------------------------------------------

TEST(TokenEscape, UsesTheDocumentedSpellings) {
  EXPECT_EQ(escape_token(""), "\\e");
  EXPECT_EQ(escape_token(" "), "\\s");
  EXPECT_EQ(escape_token("\t\n\r"), "\\t\\n\\r");
  EXPECT_EQ(escape_token("a\\b"), "a\\\\b");
  EXPECT_EQ(escape_token(std::string("\0\x1f\x7f", 3)), "\\x00\\x1f\\x7f");
  EXPECT_EQ(escape_token("h\xC3\xA9"), "h\xC3\xA9");       // valid UTF-8 passes through
  EXPECT_EQ(escape_token("\xC3"), "\\xc3");                // truncated sequence
  EXPECT_EQ(escape_token("\xED\xA0\x80"), "\\xed\\xa0\\x80");  // UTF-16 surrogate
  EXPECT_EQ(escape_token("\xC0\xAF"), "\\xc0\\xaf");       // overlong '/'
  EXPECT_EQ(escape_token("\xF4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
}

TEST(TokenEscape, RoundTripsEveryByteAndRandomStrings) {
  const auto check = [](const std::string& token) {
    const std::string escaped = escape_token(token);
    EXPECT_FALSE(escaped.empty());
    for (const char c : escaped) {
      const auto byte = static_cast<unsigned char>(c);
      EXPECT_TRUE(byte > ' ' && byte != 0x7F) << "escaped " << escaped;
    }
    EXPECT_EQ(unescape_token(escaped), token);
  };
  for (int b = 0; b < 256; ++b) check(std::string(1, static_cast<char>(b)));
  std::mt19937 rng(1234);
  for (int i = 0; i < 2000; ++i) {
    std::string token(rng() % 12, '\0');
    for (char& c : token) c = static_cast<char>(rng() % 256);
    check(token);
  }
}

TEST(TokenEscape, RejectsMalformedEscapes) {
  for (const std::string bad : {"\\", "a\\", "\\q", "\\x4", "\\xZZ", "a\\e", "\\e\\e"}) {
    const std::string message = error_of([&] { unescape_token(bad); });
    EXPECT_NE(message.find("malformed token escape"), std::string::npos) << bad << ": " << message;
  }
  EXPECT_EQ(unescape_token("plain"), "plain");
  EXPECT_EQ(unescape_token("\\x41\\xE9 raw"), "A\xE9 raw");
}

// ---- half precision -------------------------------------------------------------------------------------

TEST(HalfFloat, EveryF16AndBf16PatternRoundTrips) {
  for (std::uint32_t h = 0; h <= 0xFFFF; ++h) {
    const auto bits = static_cast<std::uint16_t>(h);
    const float f = f16_to_float(bits), b = bf16_to_float(bits);
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(f16_to_float(float_to_f16(f)))) << std::hex << h;
    } else {
      EXPECT_EQ(float_to_f16(f), bits) << std::hex << h;
    }
    if (std::isnan(b)) {
      EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(b)))) << std::hex << h;
    } else {
      EXPECT_EQ(float_to_bf16(b), bits) << std::hex << h;
    }
  }
}

TEST(HalfFloat, RoundsToNearestEvenAndOverflowsToInfinity) {
  EXPECT_EQ(float_to_f16(1.0f + 0x1p-11f), 0x3C00);       // tie → even (down)
  EXPECT_EQ(float_to_f16(1.0f + 3 * 0x1p-11f), 0x3C02);   // tie → even (up)
  EXPECT_EQ(float_to_f16(65519.0f), 0x7BFF);
  EXPECT_EQ(float_to_f16(65520.0f), 0x7C00);
  EXPECT_EQ(float_to_f16(-1e10f), 0xFC00);
  EXPECT_EQ(float_to_f16(0x1p-25f), 0x0000);               // tie between 0 and the smallest subnormal
  EXPECT_EQ(float_to_f16(0x1.000002p-25f), 0x0001);
  EXPECT_EQ(float_to_f16(3 * 0x1p-25f), 0x0002);           // 1.5 units → 2
  EXPECT_EQ(float_to_f16(0x1.ff8p-15f), 0x03FF);           // largest subnormal
  EXPECT_EQ(float_to_f16(0x1.ff4p-15f), 0x03FE);           // 1022.5 units → even
  EXPECT_EQ(float_to_f16(0x1.ffcp-15f), 0x0400);           // 1023.5 units → the smallest normal
  EXPECT_EQ(float_to_f16(-0.0f), 0x8000);
  EXPECT_EQ(float_to_bf16(1.0f + 0x1p-8f), 0x3F80);
  EXPECT_EQ(float_to_bf16(1.0f + 3 * 0x1p-8f), 0x3F82);
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::max()), 0x7F80);
  EXPECT_EQ(float_to_bf16(-std::numeric_limits<float>::infinity()), 0xFF80);
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
}

#if defined(__FLT16_MAX__) && !defined(__clang__)
TEST(HalfFloat, MatchesTheCompilersFloat16Conversion) {
  std::mt19937 rng(99);
  for (int i = 0; i < 1000000; ++i) {
    const std::uint32_t bits = rng();
    float f;
    std::memcpy(&f, &bits, 4);
    if (std::isnan(f)) continue;
    const _Float16 reference = static_cast<_Float16>(f);
    std::uint16_t expected;
    std::memcpy(&expected, &reference, 2);
    ASSERT_EQ(float_to_f16(f), expected) << std::hexfloat << f;
  }
}
#endif

// ---- MappedFile -----------------------------------------------------------------------------------------

TEST(MappedFile, MapsBytesAndReportsMissingEmptyAndDirectories) {
  TempDir dir;
  write_bytes(dir.file("x.bin"), "hello");
  MappedFile file(dir.file("x.bin"));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(file.data()), file.size()), "hello");
  MappedFile moved(std::move(file));
  EXPECT_EQ(moved.size(), 5u);
  EXPECT_EQ(moved.path(), dir.file("x.bin"));
  write_bytes(dir.file("y.bin"), "yy");
  moved = MappedFile(dir.file("y.bin"));
  EXPECT_EQ(moved.size(), 2u);

  expect_error([&] { MappedFile(dir.file("missing.bin")); }, dir.file("missing.bin"), "cannot open: No such file");
  write_bytes(dir.file("empty.bin"), "");
  expect_error([&] { MappedFile(dir.file("empty.bin")); }, dir.file("empty.bin"), "file is empty");
  fs::create_directories(dir.file("sub"));
  expect_error([&] { MappedFile(dir.file("sub")); }, dir.file("sub"), "not a regular file");
}

// ---- the real tools (skipped when the Debian packages are not installed) --------------------------------

bool python_can_import(const std::string& module) {
  const std::string command = "/usr/bin/python3 -c 'import " + module + "' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// Writes `script` into `dir` and runs it with Debian's /usr/bin/python3 and `arguments`; the exit status.
int run_python(const TempDir& dir, const std::string& script, const std::string& arguments) {
  write_bytes(dir.file("script.py"), script);
  return std::system(("/usr/bin/python3 " + dir.file("script.py") + " " + arguments + " 2>&1").c_str());
}

// Runs `script` with the expected values as a JSON file argument (floats travel as their uint32 bits: JSON
// has no infinity); the script exits non-zero (printing why) when the tool disagrees.
void expect_python_agrees(const TempDir& dir, const std::string& script, const nlohmann::json& expected,
                          const std::string& file) {
  write_bytes(dir.file("expected.json"), expected.dump());
  EXPECT_EQ(run_python(dir, script, file + " " + dir.file("expected.json")), 0) << script;
}

TEST(Interop, NumpyLoadsOurNpy) {
  if (!python_can_import("numpy")) GTEST_SKIP() << "python3-numpy is not installed";
  TempDir dir;
  const FloatMatrix m = matrix(2, 3, {0.1f, -2.5f, 1e-45f, 3.4028235e38f, -0.0f, 1.0f / 3.0f});
  write_npy(dir.file("m.npy"), m);
  const char* script = R"(
import json, sys, numpy
a = numpy.load(sys.argv[1])
want = numpy.array(json.load(open(sys.argv[2]))["bits"], dtype=numpy.uint32).view(numpy.float32).reshape(2, 3)
assert a.dtype == numpy.float32 and a.shape == (2, 3), (a.dtype, a.shape)
assert a.tobytes() == want.tobytes(), (a, want)
)";
  expect_python_agrees(dir, script, {{"bits", bits_of(m.values)}}, dir.file("m.npy"));
}

TEST(Interop, WeLoadWhatNumpySaves) {
  if (!python_can_import("numpy")) GTEST_SKIP() << "python3-numpy is not installed";
  TempDir dir;
  const std::string script = "import numpy, sys\nd = sys.argv[1]\n"
                             "numpy.save(d + '/f4.npy', numpy.arange(6, dtype=numpy.float32).reshape(2, 3) / 4)\n"
                             "numpy.save(d + '/f2.npy', numpy.array([1, -0.5, 65504], dtype=numpy.float16))\n"
                             "numpy.save(d + '/f8.npy', numpy.array([[0.1]], dtype=numpy.float64))\n"
                             "numpy.save(d + '/fortran.npy', numpy.ones((2, 3), numpy.float32).T)\n";
  ASSERT_EQ(run_python(dir, script, dir.file("")), 0);
  const auto load = [&](const std::string& name) {
    const MappedFile file(dir.file(name));
    return parse_npy(file.data(), file.size(), name);
  };
  expect_same_bits(load("f4.npy").values, {0, 0.25f, 0.5f, 0.75f, 1, 1.25f});
  EXPECT_TRUE(load("f2.npy").is_vector);
  expect_same_bits(load("f2.npy").values, {1, -0.5f, 65504});
  expect_same_bits(load("f8.npy").values, {0.1f});
  expect_error([&] { load("fortran.npy"); }, "fortran.npy", "Fortran-order");
}

TEST(Interop, GensimLoadsOurVec) {
  if (!python_can_import("gensim")) GTEST_SKIP() << "python3-gensim is not installed";
  TempDir dir;
  const std::vector<std::string>& tokens = awkward_tokens();
  const FloatMatrix vectors = awkward_values(static_cast<std::int64_t>(tokens.size()), 4);
  write_word2vec_text(dir.file("e.vec"), tokens, vectors);
  nlohmann::json expected = {{"tokens", nlohmann::json::array()}, {"bits", bits_of(vectors.values)}};
  for (const std::string& token : tokens) expected["tokens"].push_back(escape_token(token));
  const char* script = R"(
import json, sys, numpy
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=False)
want = json.load(open(sys.argv[2]))
assert kv.index_to_key == want["tokens"], (kv.index_to_key, want["tokens"])
values = numpy.array(want["bits"], dtype=numpy.uint32).view(numpy.float32).reshape(len(want["tokens"]), -1)
assert kv.vectors.tobytes() == values.tobytes(), (kv.vectors, values)
)";
  expect_python_agrees(dir, script, expected, dir.file("e.vec"));
}

TEST(Interop, WeLoadWhatGensimSaves) {
  if (!python_can_import("gensim")) GTEST_SKIP() << "python3-gensim is not installed";
  TempDir dir;
  const std::string script = "import sys, numpy\nfrom gensim.models import KeyedVectors\n"
                             "kv = KeyedVectors(vector_size=2)\n"
                             "values = numpy.array([[0.1, -2], [3e-5, 4]], dtype=numpy.float32)\n"
                             "kv.add_vectors(['cat', 'dog'], values)\n"
                             "kv.save_word2vec_format(sys.argv[1], binary=False)\n";
  ASSERT_EQ(run_python(dir, script, dir.file("g.vec")), 0);
  const MappedFile file(dir.file("g.vec"));
  const WordVectors v = parse_word2vec_text(file.data(), file.size(), "g.vec", TokenEncoding::raw);
  EXPECT_EQ(v.tokens, (std::vector<std::string>{"cat", "dog"}));
  expect_same_bits(v.vectors.values, {0.1f, -2.0f, 3e-5f, 4.0f});
}

}  // namespace
}  // namespace embgeo

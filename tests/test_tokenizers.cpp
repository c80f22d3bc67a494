// Word tokenizer on hand-written text, and llm.c token files written here byte by byte and read back.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/tokenizers.hpp"
#include "embgeo/error.hpp"
#include "test_support.hpp"

namespace embgeo {
namespace {

std::vector<std::string> token_texts(const Corpus& corpus) {
  std::vector<std::string> texts;
  for (const std::int32_t id : corpus.ids) texts.push_back(corpus.vocab.tokens.at(id));
  return texts;
}

using testing_support::error_of;

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

// --- word tokenizer ---

TEST(WordTokenizer, OrdersVocabularyByCountThenBytes) {
  const Corpus c = make_word_corpus("The cat sat. The cat ran!", "sample", 1);
  EXPECT_EQ(c.name, "sample");
  EXPECT_EQ(c.vocab.tokens, (std::vector<std::string>{"<unk>", "cat", "the", "!", ".", "ran", "sat"}));
  EXPECT_EQ(c.ids, (std::vector<std::int32_t>{2, 1, 6, 4, 2, 1, 5, 3}));
  EXPECT_EQ(c.train_tokens, 8);
}

TEST(WordTokenizer, RareTokensBecomeUnk) {
  const Corpus c = make_word_corpus("The cat sat. The cat ran!", "sample", 2);
  EXPECT_EQ(c.vocab.tokens, (std::vector<std::string>{"<unk>", "cat", "the"}));
  EXPECT_EQ(c.ids, (std::vector<std::int32_t>{2, 1, 0, 0, 2, 1, 0, 0}));
}

TEST(WordTokenizer, UnkIsNeverATextToken) {
  const Corpus c = make_word_corpus("<unk> <unk>", "sample", 1);
  EXPECT_EQ(token_texts(c), (std::vector<std::string>{"<", "unk", ">", "<", "unk", ">"}));
  EXPECT_EQ(c.vocab.tokens[0], "<unk>");
  for (const std::int32_t id : c.ids) EXPECT_NE(id, 0);
}

TEST(WordTokenizer, FoldsAsciiCase) {
  const Corpus c = make_word_corpus("Hello HELLO hello hElLo", "sample", 1);
  EXPECT_EQ(c.vocab.tokens, (std::vector<std::string>{"<unk>", "hello"}));
  EXPECT_EQ(c.ids, (std::vector<std::int32_t>{1, 1, 1, 1}));
}

TEST(WordTokenizer, EveryPunctuationCharacterIsAToken) {
  const Corpus c = make_word_corpus("a-b,c...(d) 3.14 1984; x_y", "sample", 1);
  EXPECT_EQ(token_texts(c), (std::vector<std::string>{"a", "-", "b", ",", "c", ".", ".", ".", "(", "d", ")", "3", ".",
                                                      "14", "1984", ";", "x", "_", "y"}));
}

TEST(WordTokenizer, ApostropheJoinsOnlyInsideWords) {
  const Corpus c = make_word_corpus("Don't 'tis dogs' rock''n o\u2019clock \u2019quoted\u2019", "sample", 1);
  EXPECT_EQ(token_texts(c), (std::vector<std::string>{"don't", "'", "tis", "dogs", "'", "rock", "'", "'", "n",
                                                      "o\u2019clock", "\u2019", "quoted", "\u2019"}));
}

TEST(WordTokenizer, KeepsNonAsciiLettersAndSplitsUnicodePunctuation) {
  const std::string text =
      "Caf\u00e9 CAF\u00c9 na\u00efve\u2014\u201cquoted\u201d\u00a0x \u00bfs\u00ed? 2\u00b3 \u00b5m";
  EXPECT_EQ(token_texts(make_word_corpus(text, "sample", 1)),
            (std::vector<std::string>{"caf\u00e9", "caf\u00c9", "na\u00efve", "\u2014", "\u201c", "quoted", "\u201d",
                                      "x", "\u00bf", "s\u00ed", "?", "2\u00b3", "\u00b5m"}));
}

TEST(WordTokenizer, WhitespaceAndControlCharactersOnlySeparate) {
  const Corpus c = make_word_corpus("a\tb\r\nc\x01" "d\x7f" "e\u3000f\ufeffg", "sample", 1);
  EXPECT_EQ(token_texts(c), (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g"}));
}

TEST(WordTokenizer, Errors) {
  EXPECT_CONTAINS(error_of([] { make_word_corpus("a b", "sample", 0); }), "min_count must be at least 1");
  EXPECT_CONTAINS(error_of([] { make_word_corpus("", "empty.txt", 1); }), "empty.txt has no words or punctuation");
  EXPECT_CONTAINS(error_of([] { make_word_corpus(" \t\n\u00a0", "blank.txt", 1); }), "blank.txt has no words");
  EXPECT_CONTAINS(error_of([] { make_word_corpus("ok \xff", "sample", 1); }), "invalid UTF-8");
  EXPECT_CONTAINS(error_of([] { make_word_corpus("a a b", "sample", 3); }),
                  "no token occurs 3 times (the most frequent, 'a', occurs 2)");
}

// --- llm.c token files ---

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "embgeo_tokenizers_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path(const std::string& name) const { return (path_ / name).string(); }

  std::string file(const std::string& name, const std::string& bytes) const {
    std::ofstream out(path(name), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path(name);
  }

 private:
  std::filesystem::path path_;
};

void put_le(std::string& bytes, std::uint32_t value, int width) {
  for (int k = 0; k < width; ++k) bytes.push_back(static_cast<char>((value >> (8 * k)) & 0xFF));
}

// A token file as llm.c writes it; `count` is what the header claims, independent of `tokens`.
std::string bin_bytes(std::int32_t magic, std::int32_t version, std::int32_t count,
                      const std::vector<std::uint32_t>& tokens, int width) {
  std::string bytes;
  put_le(bytes, static_cast<std::uint32_t>(magic), 4);
  put_le(bytes, static_cast<std::uint32_t>(version), 4);
  put_le(bytes, static_cast<std::uint32_t>(count), 4);
  bytes.append(253 * 4, '\0');
  for (const std::uint32_t t : tokens) put_le(bytes, t, width);
  return bytes;
}

std::string gpt2_bytes(const std::vector<std::uint32_t>& tokens) {
  return bin_bytes(20240520, 1, static_cast<std::int32_t>(tokens.size()), tokens, 2);
}

std::string llama3_bytes(const std::vector<std::uint32_t>& tokens) {
  return bin_bytes(20240801, 7, static_cast<std::int32_t>(tokens.size()), tokens, 4);
}

TEST(TokenBin, ReadsUint16TokensAndNamesIds) {
  const TempDir dir;
  const std::string path = dir.file("gpt2.bin", gpt2_bytes({5, 0, 65535, 5, 258}));
  const Corpus c = read_token_bin(path, "");
  EXPECT_EQ(c.name, path);
  EXPECT_EQ(c.ids, (std::vector<std::int32_t>{5, 0, 65535, 5, 258}));
  EXPECT_EQ(c.train_tokens, 5);
  ASSERT_EQ(c.vocab.size(), 65536);
  EXPECT_EQ(c.vocab.tokens[0], "#0");
  EXPECT_EQ(c.vocab.tokens[258], "#258");
  EXPECT_EQ(c.vocab.tokens[65535], "#65535");
}

TEST(TokenBin, ReadsUint32Tokens) {
  const TempDir dir;
  const Corpus c = read_token_bin(dir.file("llama3.bin", llama3_bytes({7, 128255, 0, 70000})), "");
  EXPECT_EQ(c.ids, (std::vector<std::int32_t>{7, 128255, 0, 70000}));
  ASSERT_EQ(c.vocab.size(), 128256);
  EXPECT_EQ(c.vocab.tokens[128255], "#128255");
}

TEST(TokenBin, ReadsOneToken) {
  const TempDir dir;
  const Corpus c = read_token_bin(dir.file("one.bin", gpt2_bytes({0})), "");
  EXPECT_EQ(c.ids, (std::vector<std::int32_t>{0}));
  EXPECT_EQ(c.vocab.tokens, (std::vector<std::string>{"#0"}));
}

TEST(TokenBin, VocabularyFileNamesIdsByLine) {
  const TempDir dir;
  const std::string bin = dir.file("t.bin", gpt2_bytes({2, 0, 1, 2}));
  Corpus c = read_token_bin(bin, dir.file("v.txt", "the\ncat\nsat\n"));
  EXPECT_EQ(c.vocab.tokens, (std::vector<std::string>{"the", "cat", "sat"}));
  EXPECT_EQ(c.ids, (std::vector<std::int32_t>{2, 0, 1, 2}));
  // vocab.txt escapes (as `train` writes them), a CRLF line end, no final newline, and a vocabulary
  // larger than the ids need.
  c = read_token_bin(bin, dir.file("w.txt", "a\\sb\n\\e\nc\r\nunused"));
  EXPECT_EQ(c.vocab.tokens, (std::vector<std::string>{"a b", "", "c", "unused"}));
}

TEST(TokenBin, VocabularyFileTooShortForAnId) {
  const TempDir dir;
  const std::string bin = dir.file("t.bin", llama3_bytes({0, 1, 3, 1}));
  const std::string vocab = dir.file("v.txt", "a\nb\nc\n");
  const std::string message = error_of([&] { read_token_bin(bin, vocab); });
  EXPECT_CONTAINS(message, bin);
  EXPECT_CONTAINS(message, vocab);
  EXPECT_CONTAINS(message, "token id 3 at position 2 is outside [0, 3)");
  EXPECT_CONTAINS(error_of([&] { read_token_bin(bin, dir.file("empty.txt", "")); }), "is empty");
  EXPECT_CONTAINS(error_of([&] { read_token_bin(bin, dir.path("none.txt")); }),
                  "cannot open");
}

TEST(TokenBin, RefusesIdsThatDoNotFitOrLookCorrupt) {
  const TempDir dir;
  EXPECT_CONTAINS(error_of([&] { read_token_bin(dir.file("big.bin", llama3_bytes({1, 0x80000000u})), ""); }),
                  "token id 2147483648 at position 1 does not fit in int32");
  EXPECT_CONTAINS(error_of([&] { read_token_bin(dir.file("huge.bin", llama3_bytes({1 << 24})), ""); }),
                  "token id 16777216 at position 0 is above 16777215");
}

// One corrupt id must not imply a vocabulary far larger than the ids in use (2^24 rows of names and
// parameters for 50 real ids): refused in one line naming the file, the id and the distinct ids.
TEST(TokenBin, RefusesAVocabularyFarLargerThanTheIdsUsed) {
  const TempDir dir;
  std::vector<std::uint32_t> tokens(5000);
  for (std::size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<std::uint32_t>(i % 50);
  tokens[1234] = 16777215;
  const std::string path = dir.file("corrupt.bin", llama3_bytes(tokens));
  const std::string message = error_of([&] { read_token_bin(path, ""); });
  EXPECT_CONTAINS(message, path);
  EXPECT_CONTAINS(message, "largest token id 16777215");
  EXPECT_CONTAINS(message, "51 distinct ids");
  EXPECT_CONTAINS(message, "--vocab-size");
}

TEST(TokenBin, MalformedFiles) {
  const TempDir dir;
  struct Case {
    const char* name;
    std::string bytes;
    const char* expected;
  };
  const std::string good = gpt2_bytes({1, 2, 3});
  const Case cases[] = {
      {"zero.bin", "", "is 0 bytes, shorter than the 1024-byte llm.c token file header"},
      {"short.bin", good.substr(0, 1023), "is 1023 bytes, shorter than"},
      {"magic.bin", bin_bytes(12345, 1, 3, {1, 2, 3}, 2), "not an llm.c token file: magic 12345"},
      {"version16.bin", bin_bytes(20240520, 2, 3, {1, 2, 3}, 2), "version 2 is not supported for magic 20240520"},
      {"version32.bin", bin_bytes(20240801, 1, 3, {1, 2, 3}, 4), "version 1 is not supported for magic 20240801"},
      {"negative.bin", bin_bytes(20240520, 1, -3, {1, 2, 3}, 2), "header token count -3 is negative"},
      {"empty.bin", bin_bytes(20240520, 1, 0, {}, 2), "holds no tokens"},
      {"truncated.bin", bin_bytes(20240520, 1, 4, {1, 2, 3}, 2),
       "4 tokens of 2 bytes (8 bytes) but 6 bytes follow the header (truncated)"},
      {"trailing.bin", bin_bytes(20240801, 7, 2, {1, 2, 3}, 4),
       "2 tokens of 4 bytes (8 bytes) but 12 bytes follow the header (trailing data)"},
      {"odd.bin", good + std::string(1, '\0'), "(trailing data)"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.file(c.name, c.bytes);
    const std::string message = error_of([&] { read_token_bin(path, ""); });
    EXPECT_CONTAINS(message, path);
    EXPECT_CONTAINS(message, c.expected);
  }
  EXPECT_CONTAINS(error_of([&] { read_token_bin(dir.path("missing.bin"), ""); }), "cannot open");
}

}  // namespace
}  // namespace embgeo

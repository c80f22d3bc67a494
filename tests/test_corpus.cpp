// Character tokenizer, UTF-8 validation, the train/validation split and the host-side id guard.
#include <gtest/gtest.h>

#include "data/corpus.hpp"
#include "embgeo/error.hpp"

namespace embgeo {
namespace {

TEST(Corpus, DefaultToyCorpusHasTheClassicVocabulary) {
  const Corpus c = make_char_corpus(default_corpus_text(), "toy");
  EXPECT_EQ(c.ids.size(), 124u * 50u);
  // " abcdefghiklmnorstuvw": space plus the 20 letters the sentence uses.
  ASSERT_EQ(c.vocab.size(), 21);
  EXPECT_EQ(c.vocab.tokens.front(), " ");
  EXPECT_EQ(c.vocab.tokens.back(), "w");
  std::string decoded;
  for (int i = 0; i < 8; ++i) decoded += c.vocab.tokens[c.ids[i]];
  EXPECT_EQ(decoded, "the cat ");
}

TEST(Corpus, CharacterVocabularyIsSortedCodePoints) {
  const Corpus c = make_char_corpus("b\xC3\xA9" "a\xE2\x82\xAC" "b", "x");  // "béa€b"
  ASSERT_EQ(c.vocab.size(), 4);
  EXPECT_EQ(c.vocab.tokens[0], "a");
  EXPECT_EQ(c.vocab.tokens[1], "b");
  EXPECT_EQ(c.vocab.tokens[2], "\xC3\xA9");
  EXPECT_EQ(c.vocab.tokens[3], "\xE2\x82\xAC");
  EXPECT_EQ(c.ids, (std::vector<std::int32_t>{1, 2, 0, 3, 1}));
}

TEST(Corpus, InvalidUtf8IsRejectedWithItsPosition) {
  for (const std::string bad : {std::string("ab\xFF"), std::string("a\xC3"), std::string("\xC0\xAF"),
                                std::string("\xED\xA0\x80"), std::string("\xE2\x28\xA1")}) {
    try {
      utf8_code_points(bad, "text.txt");
      ADD_FAILURE() << "accepted invalid UTF-8";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("text.txt: invalid UTF-8 at byte", 0), 0u) << e.what();
    }
  }
}

TEST(Corpus, SplitHoldsOutTheTailAndCountsWindows) {
  Corpus c = make_char_corpus(std::string(100, 'a') + std::string(100, 'b'), "ab");
  split_corpus(c, 0.1, 8);
  EXPECT_EQ(c.train_tokens, 180);
  EXPECT_EQ(c.train_windows(8), 172);  // windows w in [0, 172): w + 8 < 180
  EXPECT_EQ(c.val_begin(), 180);
  EXPECT_EQ(c.val_windows(8), 12);     // 20 held-out tokens, minus 8 for the context
}

TEST(Corpus, TooShortCorpusIsAClearError) {
  Corpus c = make_char_corpus("hello world", "tiny");
  try {
    split_corpus(c, 0.1, 8);
    FAIL() << "accepted an 11-token corpus";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tiny has 11 tokens"), std::string::npos) << e.what();
  }
  EXPECT_THROW(split_corpus(c, 0.0, 1), Error);
  EXPECT_THROW(split_corpus(c, 1.0, 1), Error);
}

TEST(Corpus, ReadTextFileErrors) {
  EXPECT_THROW(read_text_file("/nonexistent/corpus.txt"), Error);
  EXPECT_THROW(read_text_file("/"), Error);  // a directory
}

TEST(Corpus, TokenIdGuardNamesTheFirstBadId) {
  EXPECT_NO_THROW(check_token_ids({0, 1, 2}, 3, "x"));
  try {
    check_token_ids({0, 3, -1}, 3, "corpus");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "corpus: token id 3 at position 1 is outside [0, 3)");
  }
  EXPECT_THROW(check_token_ids({-1}, 3, "x"), Error);
}

}  // namespace
}  // namespace embgeo

#pragma once
// Token streams beyond the character tokenizer of corpus.hpp: words of a text, and llm.c token files.
#include <string>

#include "data/corpus.hpp"

namespace embgeo {

// Word tokenizer. Tokens are
//   - words: maximal runs of ASCII letters and digits and non-ASCII code points other than the
//     punctuation and spaces listed below, with ASCII letters lower-cased (other letters are kept as
//     they are: there are no Unicode case tables here); an apostrophe (' or U+2019) between two word
//     characters belongs to the word ("don't"), elsewhere it is punctuation;
//   - punctuation: every other printable ASCII character, and the non-ASCII punctuation blocks
//     (Latin-1 U+00A1..U+00BF except the letters and digits in it, U+00D7, U+00F7, General
//     Punctuation U+2010..U+205E), each character a token of its own;
//   - nothing for ASCII whitespace and control characters and Unicode spaces (U+0085, U+00A0, U+1680,
//     U+2000..U+200B, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF): they separate tokens.
// Scripts written without spaces (Chinese, Japanese, Thai) come out as sentence-long words: use the
// character tokenizer for them.
// Vocabulary: id 0 is "<unk>", then every token seen at least `min_count` times, by descending count,
// ties in byte (= code point) order; rarer tokens become id 0. The tokenizer never emits "<unk>" itself
// since '<' and '>' are punctuation. Error on invalid UTF-8, min_count < 1, a text without tokens, or
// one where no token reaches min_count.
Corpus make_word_corpus(const std::string& text, const std::string& name, int min_count);

// Reads an llm.c token file: 256 little-endian int32 header (magic, version, token count), then the
// tokens — magic 20240520 version 1: uint16 (GPT-2), magic 20240801 version 7: uint32 (Llama 3).
// Without `vocab_path` (empty), token i is named "#i" and V is `vocab_size` when it is not 0 (every id
// must be below it), else the largest id + 1 — refused as the sign of a corrupt id when that is over 100×
// the distinct ids (and above 2^17, so small samples of real vocabularies load); ids of 2^24 and above are
// refused too. With `vocab_path`, the vocabulary file holds one token
// per line in vocab.txt form (line k is id k, tokens escaped as formats::escape_token writes them, so a
// space is "\s" and the empty token "\e"; a final line needs no '\n'), and every
// id must be below its line count. Errors name the file and the problem: short header, bad magic or
// version, token count not positive or not matching the file size, an id outside the vocabulary.
Corpus read_token_bin(const std::string& path, const std::string& vocab_path, std::int64_t vocab_size = 0);

// `ids` as an llm.c token file with uint32 tokens (magic 20240801, version 7), written atomically.
void write_token_bin(const std::string& path, const std::vector<std::int32_t>& ids);

}  // namespace embgeo

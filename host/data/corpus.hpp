#pragma once
// Text → token ids, and the train/validation split the trainer samples windows from.
#include <cstdint>
#include <string>
#include <vector>

#include "embgeo/tensor_checks.hpp"  // check_token_ids

namespace embgeo {

struct Vocabulary {
  std::vector<std::string> tokens;  // id → token text (UTF-8)
  int size() const { return static_cast<int>(tokens.size()); }
};

struct Corpus {
  std::string name;                 // "built-in toy corpus" or the file path
  Vocabulary vocab;
  std::vector<std::int32_t> ids;    // the whole token stream
  std::int64_t train_tokens = 0;    // ids[0, train_tokens) train; the rest is held out for validation

  // Window w reads ids[w, w+C) and predicts ids[w+C]. Train windows lie wholly in the train part,
  // validation windows wholly in the held-out part.
  std::int64_t train_windows(int C) const { return train_tokens - C; }
  std::int64_t val_begin() const { return train_tokens; }
  std::int64_t val_windows(int C) const { return static_cast<std::int64_t>(ids.size()) - train_tokens - C; }
};

// The classic toy text: "the cat sat on the mat ... " repeated 50 times.
std::string default_corpus_text();

// Reads a whole file; a one-line Error when it is missing, unreadable or empty.
std::string read_text_file(const std::string& path);

// Splits UTF-8 text into code points (each returned as its UTF-8 bytes); on invalid UTF-8 an Error naming
// `name` (the file) and the byte.
std::vector<std::string> utf8_code_points(const std::string& text, const std::string& name);

// Character tokenizer: the vocabulary is the sorted set of distinct code points.
Corpus make_char_corpus(const std::string& text, const std::string& name);

// How many of `tokens` a validation split of `val_fraction` holds out at the end. `train` measures its
// geometry on the tokens before them, and `inspect --corpus` cuts a text at the same token to measure alike.
constexpr double kDefaultValFraction = 0.1;
std::int64_t held_out_tokens(std::int64_t tokens, double val_fraction);

// Sets train_tokens so the last `val_fraction` of the stream is held out; Error when either part is too
// short to hold one window of C ids plus its target.
void split_corpus(Corpus& corpus, double val_fraction, int C);

// A token given by its text or as "#id" → its id in `tokens`; Error naming the token when unknown.
int token_id(const std::vector<std::string>& tokens, const std::string& token);


}  // namespace embgeo

// Corpora as token ids: the built-in toy text, reading a text file, the character tokenizer (strict UTF-8
// code points), the train/validation split, and token lookup by text or #id.
#include "data/corpus.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "embgeo/error.hpp"

namespace embgeo {

std::string default_corpus_text() {
  const std::string sentence =
      "the cat sat on the mat the dog sat on the rug the bird flew over the cat the cat watched the bird the dog "
      "barked at the cat ";
  std::string text;
  for (int i = 0; i < 50; ++i) text += sentence;
  return text;
}

std::string read_text_file(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) fail("cannot open '", path, "': ", std::strerror(errno));
  if (!S_ISREG(info.st_mode)) fail("'", path, "' is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open '", path, "': ", std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) fail("cannot read '", path, "'");
  std::string text = content.str();
  if (text.empty()) fail("'", path, "' is empty");
  return text;
}

std::vector<std::string> utf8_code_points(const std::string& text, const std::string& name) {
  std::vector<std::string> points;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    int length = 0;
    std::uint32_t value = 0, min_value = 0;
    if (lead < 0x80) {
      length = 1, value = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, value = lead & 0x1F, min_value = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, value = lead & 0x0F, min_value = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, value = lead & 0x07, min_value = 0x10000;
    } else {
      fail(name, ": invalid UTF-8 at byte ", i, " (byte 0x", std::hex, static_cast<int>(lead), ")");
    }
    if (i + length > text.size()) fail(name, ": invalid UTF-8 at byte ", i, " (truncated sequence)");
    for (int k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) fail(name, ": invalid UTF-8 at byte ", i + k, " (expected a continuation byte)");
      value = (value << 6) | (next & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not characters.
    if (value < min_value || (value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF)
      fail(name, ": invalid UTF-8 at byte ", i, " (not a valid code point)");
    points.push_back(text.substr(i, length));
    i += length;
  }
  return points;
}

Corpus make_char_corpus(const std::string& text, const std::string& name) {
  const std::vector<std::string> points = utf8_code_points(text, name);
  // UTF-8 byte order equals code point order, so sorting the strings sorts the characters.
  std::map<std::string, std::int32_t> id_of;
  for (const std::string& p : points) id_of.emplace(p, 0);
  Corpus corpus;
  corpus.name = name;
  for (auto& [token, id] : id_of) {
    id = static_cast<std::int32_t>(corpus.vocab.tokens.size());
    corpus.vocab.tokens.push_back(token);
  }
  corpus.ids.reserve(points.size());
  for (const std::string& p : points) corpus.ids.push_back(id_of.at(p));
  corpus.train_tokens = static_cast<std::int64_t>(corpus.ids.size());
  return corpus;
}

std::int64_t held_out_tokens(std::int64_t tokens, double val_fraction) {
  return static_cast<std::int64_t>(std::llround(static_cast<double>(tokens) * val_fraction));
}

void split_corpus(Corpus& corpus, double val_fraction, int C) {
  if (!(val_fraction > 0.0 && val_fraction < 1.0)) fail("--val-fraction must be in (0, 1), got ", val_fraction);
  const auto n = static_cast<std::int64_t>(corpus.ids.size());
  const std::int64_t held_out = held_out_tokens(n, val_fraction);
  corpus.train_tokens = n - held_out;
  // Each part must hold at least one window: C context ids plus the id they predict.
  const std::int64_t need = static_cast<std::int64_t>(C) + 1;
  if (corpus.train_tokens < need || held_out < need) {
    const double minimum = std::ceil(static_cast<double>(need) / std::min(val_fraction, 1.0 - val_fraction));
    // A tiny fraction (1e-30) puts the minimum beyond every integer type: convert only what fits.
    const std::string minimum_text =
        minimum < 1e15 ? std::to_string(static_cast<std::int64_t>(minimum)) : "more than 10^15 (no real corpus)";
    fail(corpus.name, " has ", n, " tokens; with --ctx ", C, " and --val-fraction ", val_fraction,
         " it needs at least ", minimum_text);
  }
}

int token_id(const std::vector<std::string>& tokens, const std::string& token) {
  const auto V = static_cast<long long>(tokens.size());
  if (token.size() > 1 && token[0] == '#' &&
      std::all_of(token.begin() + 1, token.end(), [](unsigned char c) { return std::isdigit(c); })) {
    const long long id = token.size() < 12 ? std::stoll(token.substr(1)) : -1;
    if (id < 0 || id >= V) fail("token ", token, " is outside the vocabulary [0, ", V, ")");
    return static_cast<int>(id);
  }
  const auto it = std::find(tokens.begin(), tokens.end(), token);
  if (it == tokens.end()) fail("token '", token, "' is not in the vocabulary (give #id for a row by number)");
  return static_cast<int>(it - tokens.begin());
}


}  // namespace embgeo

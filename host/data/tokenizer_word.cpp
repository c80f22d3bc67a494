// Word tokenizer: words, punctuation characters, and a count-ordered vocabulary with <unk> at id 0.
#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/tokenizers.hpp"
#include "embgeo/error.hpp"

namespace embgeo {
namespace {

enum class Kind { separator, word, apostrophe, punctuation };

// `point` is one valid UTF-8 sequence as returned by utf8_code_points.
std::uint32_t code_point_value(const std::string& point) {
  const auto lead = static_cast<unsigned char>(point[0]);
  if (point.size() == 1) return lead;
  std::uint32_t value = lead & (0x7F >> point.size());
  for (std::size_t k = 1; k < point.size(); ++k) value = (value << 6) | (static_cast<unsigned char>(point[k]) & 0x3F);
  return value;
}

bool is_unicode_space(std::uint32_t c) {
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

bool is_unicode_punctuation(std::uint32_t c) {
  // ª µ º are letters and ¹ ² ³ ¼ ½ ¾ numbers, so they stay inside words.
  const bool latin1 = c >= 0xA1 && c <= 0xBF && c != 0xAA && c != 0xB2 && c != 0xB3 && c != 0xB5 && c != 0xB9 &&
                      c != 0xBA && !(c >= 0xBC && c <= 0xBE);
  return latin1 || c == 0xD7 || c == 0xF7 || (c >= 0x2010 && c <= 0x205E);
}

Kind classify(const std::string& point) {
  const std::uint32_t c = code_point_value(point);
  if (c < 0x80) {
    if (c <= 0x20 || c == 0x7F) return Kind::separator;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return Kind::word;
    return c == '\'' ? Kind::apostrophe : Kind::punctuation;
  }
  // U+2019 is checked before the punctuation block that holds it: typeset text writes "don’t" with it.
  if (c == 0x2019) return Kind::apostrophe;
  if (is_unicode_space(c)) return Kind::separator;
  return is_unicode_punctuation(c) ? Kind::punctuation : Kind::word;
}

// Tokens in first-seen order while scanning; the final ids come from the count order afterwards.
struct Interned {
  std::unordered_map<std::string, std::int32_t> id_of;
  std::vector<std::string> tokens;
  std::vector<std::int64_t> counts;
  std::vector<std::int32_t> stream;

  void add(const std::string& token) {
    const auto [it, inserted] = id_of.emplace(token, static_cast<std::int32_t>(tokens.size()));
    if (inserted) {
      tokens.push_back(token);
      counts.push_back(0);
    }
    ++counts[it->second];
    stream.push_back(it->second);
  }
};

Interned split_words(const std::vector<std::string>& points) {
  Interned out;
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) out.add(word);
    word.clear();
  };
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::string& p = points[i];
    switch (classify(p)) {
      case Kind::word:
        if (p.size() == 1 && p[0] >= 'A' && p[0] <= 'Z')
          word += static_cast<char>(p[0] - 'A' + 'a');
        else
          word += p;
        break;
      case Kind::apostrophe:
        if (!word.empty() && i + 1 < points.size() && classify(points[i + 1]) == Kind::word) {
          word += p;
          break;
        }
        flush();
        out.add(p);
        break;
      case Kind::punctuation:
        flush();
        out.add(p);
        break;
      case Kind::separator:
        flush();
        break;
    }
  }
  flush();
  return out;
}

}  // namespace

Corpus make_word_corpus(const std::string& text, const std::string& name, int min_count) {
  if (min_count < 1) fail("word tokenizer: min_count must be at least 1, got ", min_count);
  Interned seen = split_words(utf8_code_points(text, name));
  if (seen.stream.empty()) fail(name, " has no words or punctuation");

  std::vector<std::int32_t> order(seen.tokens.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<std::int32_t>(k);
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    if (seen.counts[a] != seen.counts[b]) return seen.counts[a] > seen.counts[b];
    return seen.tokens[a] < seen.tokens[b];
  });
  if (seen.counts[order[0]] < min_count)
    fail(name, ": no token occurs ", min_count, " times (the most frequent, '", seen.tokens[order[0]], "', occurs ",
         seen.counts[order[0]], ")");

  Corpus corpus;
  corpus.name = name;
  corpus.vocab.tokens.push_back("<unk>");
  std::vector<std::int32_t> final_id(seen.tokens.size(), 0);
  for (const std::int32_t k : order) {
    if (seen.counts[k] < min_count) break;
    final_id[k] = static_cast<std::int32_t>(corpus.vocab.tokens.size());
    corpus.vocab.tokens.push_back(std::move(seen.tokens[k]));
  }
  corpus.ids = std::move(seen.stream);
  for (std::int32_t& id : corpus.ids) id = final_id[id];
  corpus.train_tokens = static_cast<std::int64_t>(corpus.ids.size());
  return corpus;
}

}  // namespace embgeo

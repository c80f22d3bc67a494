#pragma once
// JSON read from user files (safetensors headers, tokenizer.json), parsed with the limits a hostile file
// needs, and quoted in error messages without walking an arbitrarily large or deep value.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace embgeo::formats {

// Deeper than any real header or tokenizer needs, and far below where nlohmann's recursive dump, compare
// and copy would exhaust the stack.
constexpr int kMaxJsonDepth = 64;

// Parses `text`, refusing (one line starting with `label`) invalid JSON, nesting deeper than kMaxJsonDepth,
// and a key repeated within one object (which nlohmann would silently collapse).
nlohmann::json parse_untrusted_json(std::string_view text, const std::string& label);

// `value` as JSON text for a message, cut at about `limit` bytes with "..." and shown one-line safe; the
// work is bounded by `limit`, whatever the value's size or depth.
std::string json_excerpt(const nlohmann::json& value, std::size_t limit = 120);

}  // namespace embgeo::formats

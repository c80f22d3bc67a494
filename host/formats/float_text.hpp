#pragma once
// Float32 ↔ text for the text formats, independent of the C locale (internal to host/formats).
#include <cstddef>
#include <string>
#include <string_view>

namespace embgeo::formats::detail {

// Appends the shortest decimal text that reads back to the same float32 ("0.1", "1e-45", "nan", "-inf").
void append_float(std::string& out, float value);

// Appends `count` values, each preceded by `separator` except the first when `lead` is false.
void append_floats(std::string& out, const float* values, std::size_t count, char separator, bool lead);

// Parses the whole of `text` as a float32 (decimal or scientific, "inf", "nan"). False when it is empty,
// not a number, has trailing characters, or lies outside float32 range.
bool parse_float(std::string_view text, float& value);

}  // namespace embgeo::formats::detail

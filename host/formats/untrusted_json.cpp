// Bounded parsing and quoting of JSON from user files (see untrusted_json.hpp).
#include "formats/untrusted_json.hpp"

#include <set>
#include <vector>

#include "embgeo/error.hpp"
#include "formats/text_io.hpp"

namespace embgeo::formats {

using nlohmann::json;

nlohmann::json parse_untrusted_json(std::string_view text, const std::string& label) {
  std::vector<std::set<std::string>> open_objects;  // the keys seen so far in each open object
  // The callback sees each container open before its contents are read, so a deep file is refused at
  // level kMaxJsonDepth + 1 instead of being built.
  const json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
    const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (opens && depth >= kMaxJsonDepth) fail(label, ": JSON nested deeper than ", kMaxJsonDepth, " levels");
    if (event == json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == json::parse_event_t::object_end) open_objects.pop_back();
    if (event == json::parse_event_t::key && !open_objects.back().insert(parsed.get<std::string>()).second)
      fail(label, ": JSON repeats the key \"", detail::printable(parsed.get<std::string>()), "\" in one object");
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), check);
  } catch (const json::exception& e) {
    fail(label, ": not valid JSON: ", detail::printable(e.what(), 300));
  }
}

namespace {

// A string cut to `limit` bytes, as JSON text; a cut inside a UTF-8 sequence shows as U+FFFD.
std::string string_excerpt(const std::string& text, std::size_t limit) {
  return json(text.substr(0, limit)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Each level writes at least one byte before descending, so the recursion is at most `limit` deep.
void append_excerpt(std::string& out, const json& value, std::size_t limit) {
  if (out.size() > limit) return;
  if (value.is_string()) {
    out += string_excerpt(value.get_ref<const std::string&>(), limit);
    return;
  }
  if (!value.is_structured()) {
    out += value.dump();
    return;
  }
  out += value.is_array() ? '[' : '{';
  bool first = true;
  for (auto it = value.begin(); it != value.end() && out.size() <= limit; ++it, first = false) {
    if (!first) out += ", ";
    if (value.is_object()) out += string_excerpt(it.key(), limit) + ": ";
    append_excerpt(out, *it, limit);
  }
  out += value.is_array() ? ']' : '}';
}

}  // namespace

std::string json_excerpt(const nlohmann::json& value, std::size_t limit) {
  std::string out;
  append_excerpt(out, value, limit);
  return detail::printable(out, limit);
}

}  // namespace embgeo::formats

#pragma once
// JSON text for output files and --json. Token strings can hold bytes that are not UTF-8 (byte-level
// vocabularies), which JSON cannot carry; they are written as U+FFFD rather than failing the whole output.
#include <nlohmann/json.hpp>
#include <string>

namespace embgeo {

inline std::string json_text(const nlohmann::json& j, int indent = 2) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace embgeo

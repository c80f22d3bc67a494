#pragma once
// JSON text for output files and --json. Token strings can hold bytes that are not UTF-8 (byte-level
// vocabularies), which JSON cannot carry; they are written as U+FFFD rather than failing the whole output.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "metrics/metrics.hpp"

namespace embgeo {

inline std::string json_text(const nlohmann::json& j, int indent = 2) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// [{"token", "id", "cosine"}, ...] for a neighbour list, tokens named from `tokens` (id → text).
inline nlohmann::json neighbors_json(const std::vector<metrics::Neighbor>& list, const std::vector<std::string>& tokens) {
  nlohmann::json out = nlohmann::json::array();
  for (const metrics::Neighbor& n : list) out.push_back({{"token", tokens[n.id]}, {"id", n.id}, {"cosine", n.cosine}});
  return out;
}

}  // namespace embgeo

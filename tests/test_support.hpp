#pragma once
// Helpers shared by the test files.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "embgeo/error.hpp"
#include "embgeo/neighbor_index.hpp"
#include "train/run.hpp"

namespace embgeo::testing_support {

// The message of the embgeo::Error that `call` throws (checked to be one line); a test failure when it
// throws none.
template <typename Call>
std::string error_of(Call call) {
  try {
    call();
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
    return message;
  }
  ADD_FAILURE() << "no embgeo::Error thrown";
  return "";
}

// Options of a quick, silent training run on the fast CPU path over the built-in toy corpus.
inline RunOptions quick_cpu_run(std::int64_t steps, int log_every) {
  RunOptions o;
  o.device = "cpu";
  o.steps = steps;
  o.log_every = log_every;
  o.quiet = true;
  return o;
}

inline bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

// Little-endian bytes of `value`, `width` bytes long: for hand-made binary files.
inline std::string le_bytes(std::uint64_t value, int width) {
  std::string out;
  for (int i = 0; i < width; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
  return out;
}

inline std::string f32_bytes(const std::vector<float>& values) {
  std::string out;
  for (const float v : values) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &v, 4);
    out += le_bytes(bits, 4);
  }
  return out;
}

// Row `id` of a row-major table with D columns, and the ids of a neighbour list: for neighbour-search tests.
inline std::vector<float> row_of(const std::vector<float>& table, int D, int id) {
  return {table.begin() + static_cast<std::ptrdiff_t>(id) * D, table.begin() + static_cast<std::ptrdiff_t>(id + 1) * D};
}

inline std::vector<int> ids_of(const std::vector<Neighbor>& list) {
  std::vector<int> ids;
  for (const Neighbor& n : list) ids.push_back(n.id);
  return ids;
}

}  // namespace embgeo::testing_support

#pragma once
// The --seed option of `train`, `experiment` and `verify`: a uint64 that refuses a negative value, which
// CLI11 (strtoull) would otherwise wrap silently to 2^64 − 1.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace embgeo::cli {

inline CLI::Option* add_seed_option(CLI::App& cmd, std::uint64_t& seed, const std::string& description) {
  const CLI::Validator non_negative(
      [](std::string& text) {
        return text.find('-') == std::string::npos ? std::string() : "a seed is a non-negative integer, got " + text;
      },
      "NON-NEGATIVE");
  return cmd.add_option("--seed", seed, description)->check(non_negative)->capture_default_str();
}

}  // namespace embgeo::cli

#pragma once
// Option checks shared by the subcommands, run by CLI11 while parsing so a bad value is one "error: --opt: ..."
// line before any work: --seed refuses a negative value (CLI11's strtoull would wrap it to 2^64 − 1), and list
// options refuse an empty list (which would otherwise be silently ignored).
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

// For comma-separated list options: at least one non-empty item.
inline CLI::Validator non_empty_list() {
  return CLI::Validator(
      [](std::string& text) {
        return text.find_first_not_of(',') == std::string::npos ? std::string("the list is empty") : std::string();
      },
      "LIST");
}

}  // namespace embgeo::cli

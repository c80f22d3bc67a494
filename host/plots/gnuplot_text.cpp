// Text for gnuplot scripts: string quoting (and % escaping for tic labels), and numbers written so gnuplot reads
// them back (NaN for non-finite values).
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

#include "plots/plot_support.hpp"

namespace embgeo {
namespace plots {
namespace detail {

std::string quote(const std::string& text) {
  // Double quotes with every backslash escaped: then only \\, \" and \n reach gnuplot's escape processing.
  // (Single quotes look simpler but gnuplot misparses a string that starts with an escaped '' in places.)
  std::string out = "\"";
  for (char c : text) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string quote_tic(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '%') escaped += '%';
    escaped += c;
  }
  return quote(escaped);
}

std::string number(double value) {
  if (!std::isfinite(value)) return "NaN";
  char buffer[32];
  std::to_chars_result written;
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    written = std::to_chars(buffer, buffer + sizeof buffer, static_cast<std::int64_t>(value));
  else
    written = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 9);
  return std::string(buffer, written.ptr);
}

std::string decimals(double value, int digits) {
  if (!std::isfinite(value)) return std::isnan(value) ? "NaN" : value > 0 ? "inf" : "-inf";
  char buffer[64];
  const std::to_chars_result written =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, digits);
  return written.ec == std::errc() ? std::string(buffer, written.ptr) : number(value);
}

}  // namespace detail
}  // namespace plots
}  // namespace embgeo

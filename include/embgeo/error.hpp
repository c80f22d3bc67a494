#pragma once
// One error idiom for the whole project: every failure is an embgeo::Error whose message is a single
// line meant for the user; main() prints it and exits non-zero.
#include <sstream>
#include <stdexcept>
#include <string>

namespace embgeo {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

// Throws embgeo::Error with the parts streamed together: fail("bad --dim ", d).
template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  throw Error(detail::concat(parts...));
}

}  // namespace embgeo

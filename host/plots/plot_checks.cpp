// Argument checks shared by the plot functions: safe plot names, matching sizes and non-empty inputs.
#include "embgeo/error.hpp"
#include "plots/plot_support.hpp"

namespace embgeo {
namespace plots {
namespace detail {

void check_name(const char* plot, const std::string& name) {
  bool ok = !name.empty();
  for (char c : name)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  if (!ok) fail(plot, ": plot name '", name, "' must be non-empty and use only letters, digits, '_' and '-'");
}

void check_size(const char* plot, const char* what, std::size_t got, std::size_t want) {
  if (got != want) fail(plot, ": ", what, " has ", got, " values, expected ", want);
}

void check_not_empty(const char* plot, const char* what, std::size_t got) {
  if (got == 0) fail(plot, ": ", what, " is empty");
}

}  // namespace detail
}  // namespace plots
}  // namespace embgeo

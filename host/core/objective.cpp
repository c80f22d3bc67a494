// Names and validation of the training objectives (the window layouts of objective.hpp).
#include "embgeo/objective.hpp"

#include "embgeo/error.hpp"
#include "embgeo/shape.hpp"

namespace embgeo {

const char* objective_name(Objective objective) {
  switch (objective) {
    case Objective::kCbow: return "cbow";
    case Objective::kSkipgram: return "skipgram";
    default: return "next";
  }
}

Objective parse_objective(const std::string& name) {
  for (const Objective o : {Objective::kNext, Objective::kCbow, Objective::kSkipgram})
    if (name == objective_name(o)) return o;
  fail("--objective must be next, cbow or skipgram, got '", name, "'");
}

void validate_window_layout(const WindowLayout& layout) {
  check_dimension("--ctx", layout.context, kMaxContext);
  if (layout.objective != Objective::kNext && (layout.context < 2 || layout.context % 2 != 0))
    fail("--objective ", objective_name(layout.objective), " takes --ctx/2 ids on each side of the centre, so --ctx ",
         "must be even and at least 2, got ", layout.context);
}

}  // namespace embgeo

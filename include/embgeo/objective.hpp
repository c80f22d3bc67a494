#pragma once
// The objectives of the word2vec family as layouts of one training window: which of its ids a batch row pools
// (x) and which one it predicts (y). A window is always context+1 consecutive corpus tokens, so the corpus
// split, the window draw and the evaluation windows are the same for every objective.
//   next      x = t[0..C−1]                    y = t[C]      C ids to the left predict the next one
//   cbow      x = t[0..C/2−1], t[C/2+1..C]     y = t[C/2]    both sides predict the centre (word2vec CBOW)
//   skipgram  x = t[S/2]                       y = t[o]      the centre predicts one id of its window,
//                                                            o ≠ S/2 drawn per row (S = --ctx; the model's C is 1)
// A window never leaves the text: a centre closer than C/2 to an end of it is not drawn (word2vec instead
// shortens the window there).
#include <cstdint>
#include <string>

#include "embgeo/host_device.hpp"

namespace embgeo {

enum class Objective : std::int32_t { kNext, kCbow, kSkipgram };

const char* objective_name(Objective objective);     // "next", "cbow", "skipgram"
Objective parse_objective(const std::string& name);  // one-line Error naming the choices

struct WindowLayout {
  Objective objective = Objective::kNext;
  int context = 8;  // --ctx: the window's ids besides its target (next: C to the left; cbow, skipgram: half each side)

  // The ids a batch row pools: the model's C.
  EMBGEO_HOST_DEVICE int pooled_ids() const { return objective == Objective::kSkipgram ? 1 : context; }
  // Offset in the window of pooled slot c.
  EMBGEO_HOST_DEVICE int context_offset(int c) const {
    switch (objective) {
      case Objective::kCbow: return c < context / 2 ? c : c + 1;
      case Objective::kSkipgram: return context / 2;
      default: return c;
    }
  }
  // Offset in the window of the target; `pair` in [0, context) picks skip-gram's (ignored otherwise).
  EMBGEO_HOST_DEVICE int target_offset(int pair) const {
    switch (objective) {
      case Objective::kCbow: return context / 2;
      case Objective::kSkipgram: return pair < context / 2 ? pair : pair + 1;
      default: return context;
    }
  }
};

// Skip-gram's pair for the evaluation window at corpus offset w: consecutive windows cycle through the
// offsets, so a validation set of many windows scores every (centre, context) position about equally.
EMBGEO_HOST_DEVICE int evaluation_pair(std::int64_t w, const WindowLayout& layout) {
  return layout.objective == Objective::kSkipgram ? static_cast<int>(w % layout.context) : 0;
}

// One-line Error for a layout no backend can train: cbow and skipgram need an even --ctx (half on each side).
void validate_window_layout(const WindowLayout& layout);

}  // namespace embgeo

// Names, validation and the sinusoidal table of the poolings of pooling.hpp.
#include "embgeo/pooling.hpp"

#include <cmath>

#include "embgeo/error.hpp"

namespace embgeo {

const char* pool_name(Pool pool) { return pool == Pool::kConcat ? "concat" : "mean"; }

const char* position_name(Position position) {
  switch (position) {
    case Position::kLearned: return "learned";
    case Position::kSinusoidal: return "sinusoidal";
    default: return "none";
  }
}

const char* position_mode_name(PositionMode mode) { return mode == PositionMode::kMultiply ? "multiply" : "add"; }

Pool parse_pool(const std::string& name) {
  for (const Pool p : {Pool::kMean, Pool::kConcat})
    if (name == pool_name(p)) return p;
  fail("--pool must be mean or concat, got '", name, "'");
}

Position parse_position(const std::string& name) {
  for (const Position p : {Position::kNone, Position::kLearned, Position::kSinusoidal})
    if (name == position_name(p)) return p;
  fail("--position must be none, learned or sinusoidal, got '", name, "'");
}

PositionMode parse_position_mode(const std::string& name) {
  for (const PositionMode m : {PositionMode::kAdd, PositionMode::kMultiply})
    if (name == position_mode_name(m)) return m;
  fail("--position-mode must be add or multiply, got '", name, "'");
}

std::vector<float> sinusoidal_table(int C, int D) {
  std::vector<float> P(static_cast<std::size_t>(C) * D);
  for (int c = 0; c < C; ++c)
    for (int d = 0; d < D; ++d) {
      const double angle = c / std::pow(10000.0, static_cast<double>(d - d % 2) / D);
      P[static_cast<std::size_t>(c) * D + d] = static_cast<float>(d % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  return P;
}

void validate_pooling(const Pooling& pooling, Objective objective) {
  if (objective != Objective::kSkipgram) return;
  if (pooling.pool == Pool::kConcat)
    fail("--objective skipgram pools one id (the centre), so --pool concat would be the mean; use --pool mean");
  if (pooling.has_table())
    fail("--objective skipgram pools one id (the centre), so a position table would be one constant row; use "
         "--position none");
}

std::string pooling_description(const Pooling& pooling) {
  std::string text = std::string("pool ") + pool_name(pooling.pool);
  if (pooling.has_table())
    text += std::string(", position ") + position_name(pooling.position) + " (" + position_mode_name(pooling.mode) + ")";
  return text;
}

std::string pooling_notice(const Pooling& pooling) {
  if (pooling.pool != Pool::kMean || !pooling.has_table() || pooling.mode != PositionMode::kAdd) return "";
  return std::string("note: mean_c(E[x_c] + P[c]) = mean_c E[x_c] + mean_c P[c], a constant shift: an added ") +
         position_name(pooling.position) +
         " position table cannot make a mean-pool order-aware (try --position-mode multiply or --pool concat)";
}

}  // namespace embgeo

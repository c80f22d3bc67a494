#pragma once
// How a batch row's C context rows become the head's input h (B,H): each slot c's row r_c = E[x_c], with an
// optional (C,D) position table P added (E[x_c] + P[c]) or multiplied in (E[x_c] ⊙ P[c]), then
//   mean    h = (1/C)·Σ_c r_c              H = D    (word2vec's CBOW, the default)
//   concat  h = [r_0, r_1, …, r_{C−1}]      H = C·D  (Bengio's neural probabilistic LM: the head sees each slot)
// The mathematics a user should see: mean_c(E[x_c] + P[c]) = mean_c E[x_c] + mean_c P[c], a constant shift the
// head's bias absorbs, so an *added* table cannot make a mean-pool order-aware; a multiplied one or concat can.
// The slot helpers below are the one definition the CPU reference, the fast path and the kernels share.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "embgeo/host_device.hpp"
#include "embgeo/objective.hpp"

namespace embgeo {

enum class Pool : std::int32_t { kMean, kConcat };
enum class Position : std::int32_t { kNone, kLearned, kSinusoidal };
enum class PositionMode : std::int32_t { kAdd, kMultiply };

const char* pool_name(Pool pool);                       // "mean", "concat"
const char* position_name(Position position);           // "none", "learned", "sinusoidal"
const char* position_mode_name(PositionMode mode);      // "add", "multiply"
Pool parse_pool(const std::string& name);               // one-line Errors naming the choices
Position parse_position(const std::string& name);
PositionMode parse_position_mode(const std::string& name);

struct Pooling {
  Pool pool = Pool::kMean;
  Position position = Position::kNone;
  PositionMode mode = PositionMode::kAdd;

  EMBGEO_HOST_DEVICE bool has_table() const { return position != Position::kNone; }
  EMBGEO_HOST_DEVICE bool trains_table() const { return position == Position::kLearned; }
  EMBGEO_HOST_DEVICE bool multiplies() const { return position != Position::kNone && mode == PositionMode::kMultiply; }
  // H: the width of h and of the head's rows.
  EMBGEO_HOST_DEVICE int head_width(int C, int D) const { return pool == Pool::kConcat ? C * D : D; }

  // Slot c's row element d: e = E[x_c][d], p = P[c][d] (ignored without a table).
  EMBGEO_HOST_DEVICE float slot_value(float e, float p) const {
    if (position == Position::kNone) return e;
    return mode == PositionMode::kMultiply ? e * p : e + p;
  }
  // Where slot c of batch row b lives in h and dh (B,H): the row itself for the mean, slice c for concat.
  EMBGEO_HOST_DEVICE std::size_t slot_offset(std::int64_t b, int c, int C, int D) const {
    return static_cast<std::size_t>(pool == Pool::kConcat ? b * C + c : b) * static_cast<std::size_t>(D);
  }
  // ∂loss/∂r_c[d] from a sum of dh values read at slot_offset: the mean hands each slot 1/C of it.
  EMBGEO_HOST_DEVICE float slot_gradient(float dh_sum, int C) const {
    return pool == Pool::kConcat ? dh_sum : dh_sum / static_cast<float>(C);
  }
  // ∂r_c[d]/∂E[x_c][d] (P[c][d] when multiplied, else 1) and ∂r_c[d]/∂P[c][d] (E[x_c][d] when multiplied, else 1).
  EMBGEO_HOST_DEVICE float embedding_factor(float p) const { return multiplies() ? p : 1.0f; }
  EMBGEO_HOST_DEVICE float position_factor(float e) const { return multiplies() ? e : 1.0f; }
};

// The fixed table of "Attention Is All You Need": P[c][2i] = sin(c / 10000^(2i/D)), P[c][2i+1] = cos(same);
// (C,D) row-major, computed in double.
std::vector<float> sinusoidal_table(int C, int D);

// One-line Error for a pooling no backend can train with this objective: skip-gram pools one id, so concat
// is the mean and a position table has a single row (a constant); both are refused rather than run as no-ops.
void validate_pooling(const Pooling& pooling, Objective objective);

// "pool mean", "pool concat, position learned (multiply)": the console's words for a pooling.
std::string pooling_description(const Pooling& pooling);

// The notice a run prints for an added table under a mean-pool (empty when the combination is order-aware).
std::string pooling_notice(const Pooling& pooling);

}  // namespace embgeo

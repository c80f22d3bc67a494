// Byte-level helpers of the binary formats: the bounds-checked ByteCursor, float arrays decoded to float32,
// and IEEE binary16 / bfloat16 ↔ float32 conversion.
#include "formats/binary_io.hpp"

#include <cstring>

#include "embgeo/error.hpp"
#include "formats/formats.hpp"

namespace embgeo::formats {

// ---- half precision ----------------------------------------------------------------------------------
// In integer arithmetic, so results never depend on the FPU's rounding mode.

namespace {

std::uint32_t float_bits(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

float bits_float(std::uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

}  // namespace

float f16_to_float(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1Fu;
  const std::uint32_t mantissa = bits & 0x3FFu;
  if (exponent == 0x1F) return bits_float(sign | 0x7F800000u | (mantissa << 13));            // inf, NaN with payload
  if (exponent != 0) return bits_float(sign | ((exponent + 112) << 23) | (mantissa << 13));  // rebias 15 → 127
  // Zero or subnormal: mantissa × 2^-24, exact in float32.
  const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
  return sign ? -magnitude : magnitude;
}

float bf16_to_float(std::uint16_t bits) { return bits_float(static_cast<std::uint32_t>(bits) << 16); }

std::uint16_t float_to_f16(float value) {
  const std::uint32_t bits = float_bits(value);
  const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  const std::uint32_t magnitude = bits & 0x7FFFFFFFu;
  if (magnitude > 0x7F800000u)  // NaN: set the quiet bit so dropping low payload bits cannot make it infinity
    return static_cast<std::uint16_t>(sign | 0x7E00u | ((magnitude >> 13) & 0x3FFu));
  // 65520 is halfway between the largest half (65504) and 2^16; ties go to the even side, which is infinity.
  if (magnitude >= 0x477FF000u) return static_cast<std::uint16_t>(sign | 0x7C00u);
  if (magnitude >= 0x38800000u) {  // normal half: rebias and round the 13 dropped bits to nearest even
    const std::uint32_t rounded = magnitude + 0xFFFu + ((magnitude >> 13) & 1u);
    return static_cast<std::uint16_t>(sign | ((rounded >> 13) - (112u << 10)));
  }
  // Subnormal half: count units of 2^-24. Below 2^-25 everything rounds to zero (2^-25 itself ties to 0).
  const std::uint32_t exponent = magnitude >> 23;
  if (exponent < 102) return sign;
  const std::uint32_t mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
  const std::uint32_t shift = 126 - exponent;  // 14..24
  std::uint32_t units = mantissa >> shift;
  const std::uint32_t rest = mantissa & ((1u << shift) - 1u), half = 1u << (shift - 1);
  if (rest > half || (rest == half && (units & 1u))) ++units;  // may carry into the smallest normal: correct
  return static_cast<std::uint16_t>(sign | units);
}

std::uint16_t float_to_bf16(float value) {
  const std::uint32_t bits = float_bits(value);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((bits >> 16) | 0x0040u);  // quiet NaN
  // Round to nearest even on the 16 dropped bits; the carry overflows the largest finite values to infinity.
  return static_cast<std::uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

}  // namespace embgeo::formats

namespace embgeo::formats::detail {

// ---- byte cursor -------------------------------------------------------------------------------------

const std::uint8_t* ByteCursor::take(std::size_t n, const char* what) {
  if (n > remaining())
    fail(label_, ": truncated: ", what, " needs ", n, " bytes at offset ", offset_, " but only ", remaining(),
         " remain");
  const std::uint8_t* at = data_ + offset_;
  offset_ += n;
  return at;
}

std::uint64_t ByteCursor::take_le(int width, const char* what) {
  return load_le(take(static_cast<std::size_t>(width), what), width);
}

// ---- float arrays ------------------------------------------------------------------------------------

int float_type_size(FloatType type) {
  switch (type) {
    case FloatType::f16:
    case FloatType::bf16: return 2;
    case FloatType::f32: return 4;
    case FloatType::f64: return 8;
  }
  return 0;
}

std::vector<float> decode_floats(const std::uint8_t* p, std::size_t count, FloatType type) {
  std::vector<float> values(count);
  // One switch per tensor, not per element, so each loop streams a gigabyte-sized table at memory speed.
  switch (type) {
    case FloatType::f16:
      for (std::size_t i = 0; i < count; ++i) values[i] = f16_to_float(static_cast<std::uint16_t>(load_le(p + 2 * i, 2)));
      break;
    case FloatType::bf16:
      for (std::size_t i = 0; i < count; ++i) values[i] = bf16_to_float(static_cast<std::uint16_t>(load_le(p + 2 * i, 2)));
      break;
    case FloatType::f32:
      if constexpr (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
        if (count > 0) std::memcpy(values.data(), p, count * sizeof(float));  // the file's bytes are the host's floats
      } else {
        for (std::size_t i = 0; i < count; ++i) {
          const auto bits = static_cast<std::uint32_t>(load_le(p + 4 * i, 4));
          std::memcpy(&values[i], &bits, sizeof bits);
        }
      }
      break;
    case FloatType::f64:
      for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t bits = load_le(p + 8 * i, 8);
        double wide;
        std::memcpy(&wide, &bits, sizeof wide);
        values[i] = static_cast<float>(wide);  // out-of-range values become ±infinity, as numpy's astype does
      }
      break;
  }
  return values;
}

}  // namespace embgeo::formats::detail

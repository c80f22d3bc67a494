#include "formats/float_decode.hpp"

#include <cstring>

#include "formats/formats.hpp"
#include "formats/little_endian.hpp"

namespace embgeo::formats::detail {

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

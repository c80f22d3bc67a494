#include "host/formats/float_decode.hpp"

#include <cstring>

#include "embgeo/formats.hpp"
#include "host/formats/little_endian.hpp"

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
  const int width = float_type_size(type);
  for (std::size_t i = 0; i < count; ++i, p += width) {
    const std::uint64_t bits = load_le(p, width);
    switch (type) {
      case FloatType::f16: values[i] = f16_to_float(static_cast<std::uint16_t>(bits)); break;
      case FloatType::bf16: values[i] = bf16_to_float(static_cast<std::uint16_t>(bits)); break;
      case FloatType::f32: {
        const auto narrow = static_cast<std::uint32_t>(bits);
        std::memcpy(&values[i], &narrow, sizeof narrow);
        break;
      }
      case FloatType::f64: {
        double wide;
        std::memcpy(&wide, &bits, sizeof wide);
        values[i] = static_cast<float>(wide);  // out-of-range values become ±infinity, as numpy's astype does
        break;
      }
    }
  }
  return values;
}

}  // namespace embgeo::formats::detail

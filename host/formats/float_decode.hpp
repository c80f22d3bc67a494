#pragma once
// Little-endian float arrays of the element types the readers load, converted to float32 (internal to
// host/formats).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace embgeo::formats::detail {

enum class FloatType { f16, bf16, f32, f64 };

// Bytes per element.
int float_type_size(FloatType type);

// Decodes `count` elements starting at p; the caller has checked that count × size bytes are in bounds.
std::vector<float> decode_floats(const std::uint8_t* p, std::size_t count, FloatType type);

}  // namespace embgeo::formats::detail

#pragma once
// Little-endian integers and float32 arrays, byte by byte, so the formats read and write the same bytes on
// any host (internal to host/formats).
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace embgeo::formats::detail {

// The `width`-byte little-endian unsigned integer at p (width ≤ 8); the caller has checked the bounds.
inline std::uint64_t load_le(const std::uint8_t* p, int width) {
  std::uint64_t value = 0;
  for (int i = 0; i < width; ++i) value |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return value;
}

inline void append_le(std::string& out, std::uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

// Appends `count` float32 values as little-endian bytes.
inline void append_f32_le(std::string& out, const float* values, std::size_t count) {
  out.reserve(out.size() + 4 * count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &values[i], sizeof bits);
    append_le(out, bits, 4);
  }
}

}  // namespace embgeo::formats::detail

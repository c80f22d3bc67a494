#pragma once
// Byte-level helpers of the binary formats (internal to host/formats): little-endian integers and float32
// arrays, a bounds-checked read cursor, and float arrays of the element types the readers load.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace embgeo::formats::detail {

// ---- little-endian bytes -----------------------------------------------------------------------------
// Byte by byte, so the formats read and write the same bytes on any host.

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

// ---- byte cursor -------------------------------------------------------------------------------------
// A bounds-checked read position in an in-memory file: the only way the binary readers step through bytes.

class ByteCursor {
 public:
  ByteCursor(const std::uint8_t* data, std::size_t size, const std::string& label)
      : data_(data), size_(size), label_(label) {}

  // The next n bytes, then advances past them. Error naming `what` when fewer than n remain.
  const std::uint8_t* take(std::size_t n, const char* what);
  // The next `width`-byte little-endian unsigned integer.
  std::uint64_t take_le(int width, const char* what);

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return size_ - offset_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
  std::string label_;
};

// ---- float arrays ------------------------------------------------------------------------------------
// Little-endian float arrays of the element types the readers load, converted to float32.

enum class FloatType { f16, bf16, f32, f64 };

// Bytes per element.
int float_type_size(FloatType type);

// Decodes `count` elements starting at p; the caller has checked that count × size bytes are in bounds.
std::vector<float> decode_floats(const std::uint8_t* p, std::size_t count, FloatType type);

}  // namespace embgeo::formats::detail

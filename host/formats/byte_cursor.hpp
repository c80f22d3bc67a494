#pragma once
// A bounds-checked read position in an in-memory file: the only way the binary readers step through bytes
// (internal to host/formats).
#include <cstddef>
#include <cstdint>
#include <string>

namespace embgeo::formats::detail {

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

}  // namespace embgeo::formats::detail

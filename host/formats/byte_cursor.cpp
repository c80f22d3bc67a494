#include "formats/byte_cursor.hpp"

#include "embgeo/error.hpp"
#include "formats/little_endian.hpp"

namespace embgeo::formats::detail {

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

}  // namespace embgeo::formats::detail

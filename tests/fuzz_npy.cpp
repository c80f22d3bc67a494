// libFuzzer target: parse_npy on arbitrary bytes. Only embgeo::Error may escape.
#include <cstddef>
#include <cstdint>

#include "embgeo/error.hpp"
#include "formats/formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    embgeo::formats::parse_npy(data, size, "fuzz.npy");
  } catch (const embgeo::Error&) {
  }
  return 0;
}

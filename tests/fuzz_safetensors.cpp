// libFuzzer target: parse_safetensors and load_safetensors_tensor on arbitrary bytes. Only embgeo::Error
// may escape the readers; anything else (another exception, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>

#include "embgeo/error.hpp"
#include "formats/formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace embgeo::formats;
  try {
    const SafetensorsHeader header = parse_safetensors(data, size, "fuzz.safetensors");
    for (const TensorInfo& tensor : header.tensors) {
      try {
        load_safetensors_tensor(data, size, header, tensor.name, "fuzz.safetensors");
      } catch (const embgeo::Error&) {
      }
    }
  } catch (const embgeo::Error&) {
  }
  return 0;
}

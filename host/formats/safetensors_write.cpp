// safetensors writer: F32 tensors in the caller's order, header padded to 8 bytes like the Rust reference.
#include <nlohmann/json.hpp>

#include "embgeo/error.hpp"
#include "formats/formats.hpp"
#include "formats/little_endian.hpp"
#include "formats/matrix_shape.hpp"
#include "util/atomic_file.hpp"

namespace embgeo::formats {

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, FloatMatrix>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  // ordered_json keeps "__metadata__" first and the tensors in data order, which makes the header readable.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const auto& [name, m] : tensors) {
    if (name == "__metadata__") fail(path, ": '__metadata__' is reserved and cannot name a tensor");
    if (header.contains(name)) fail(path, ": tensor name '", name, "' appears twice");
    detail::check_matrix(m, path + ": tensor '" + name + "'");
    const std::uint64_t bytes = 4 * static_cast<std::uint64_t>(m.values.size());
    header[name] = {
        {"dtype", "F32"},
        {"shape", m.is_vector ? std::vector<std::int64_t>{m.rows} : std::vector<std::int64_t>{m.rows, m.cols}},
        {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::ordered_json::exception&) {
    fail(path, ": tensor names and metadata must be valid UTF-8");
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // data section starts 8-byte aligned

  write_file_atomically(path, [&](std::ostream& out) {
    std::string chunk;
    detail::append_le(chunk, text.size(), 8);
    chunk += text;
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    for (const auto& entry : tensors) {
      const std::vector<float>& values = entry.second.values;
      chunk.clear();
      detail::append_f32_le(chunk, values.data(), values.size());
      out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    }
  });
}

}  // namespace embgeo::formats

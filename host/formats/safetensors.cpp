// safetensors, read and written. The reader validates the header the way the Rust reference does
// (huggingface/safetensors `SafeTensors::read_metadata`), with messages that say which tensor and which bytes
// are wrong; the writer stores F32 tensors in the caller's order, header padded to 8 bytes like the reference.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "embgeo/error.hpp"
#include "formats/binary_io.hpp"
#include "formats/formats.hpp"
#include "formats/matrix_shape.hpp"
#include "formats/text_io.hpp"
#include "formats/untrusted_json.hpp"
#include "util/atomic_file.hpp"

namespace embgeo::formats {

// ---- reader ------------------------------------------------------------------------------------------

namespace {

using detail::shape_text;
using nlohmann::json;

// The reference implementation refuses headers above 100 MB.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

struct Dtype {
  const char* name;
  unsigned bits;  // sub-byte types (F4, F6_*) pack several elements per byte
};

constexpr Dtype kDtypes[] = {
    {"BOOL", 8}, {"U8", 8},   {"I8", 8},    {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"I16", 16},
    {"U16", 16}, {"F16", 16}, {"BF16", 16}, {"I32", 32},    {"U32", 32},    {"F32", 32},    {"C64", 64},
    {"F64", 64}, {"I64", 64}, {"U64", 64},  {"F4", 4},      {"F6_E2M3", 6}, {"F6_E3M2", 6},
};

// "tensor 'name'", for messages; names come from the file, so they are quoted safely.
std::string tensor_text(const std::string& name) { return "tensor '" + detail::printable(name) + "'"; }

unsigned dtype_bits(const std::string& name) {
  for (const Dtype& dtype : kDtypes)
    if (name == dtype.name) return dtype.bits;
  return 0;
}

std::uint64_t non_negative_integer(const json& value, const std::string& label, const std::string& what) {
  if (!value.is_number_unsigned())
    fail(label, ": ", what, " must be a non-negative integer, got ", json_excerpt(value));
  return value.get<std::uint64_t>();
}

TensorInfo parse_tensor_info(const std::string& name, const json& entry, const std::string& label) {
  const std::string where = tensor_text(name);
  if (!entry.is_object()) fail(label, ": ", where, " must be an object, got ", json_excerpt(entry));
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!entry.contains(field)) fail(label, ": ", where, " has no \"", field, "\"");

  TensorInfo info;
  info.name = name;
  const json& dtype = entry["dtype"];
  if (!dtype.is_string()) fail(label, ": ", where, " dtype must be a string, got ", json_excerpt(dtype));
  info.dtype = dtype.get<std::string>();
  if (dtype_bits(info.dtype) == 0) fail(label, ": ", where, " has unknown dtype '", detail::printable(info.dtype), "'");

  const json& shape = entry["shape"];
  if (!shape.is_array()) fail(label, ": ", where, " shape must be an array, got ", json_excerpt(shape));
  for (const json& dim : shape) {
    const std::uint64_t value = non_negative_integer(dim, label, where + " shape entry");
    if (value > static_cast<std::uint64_t>(INT64_MAX)) fail(label, ": ", where, " dimension ", value, " is too large");
    info.shape.push_back(static_cast<std::int64_t>(value));
  }

  const json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2)
    fail(label, ": ", where, " data_offsets must be [begin, end], got ", json_excerpt(offsets));
  info.begin = non_negative_integer(offsets[0], label, where + " data_offsets begin");
  info.end = non_negative_integer(offsets[1], label, where + " data_offsets end");
  return info;
}

std::string offsets_text(const TensorInfo& t) {
  return "[" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "]";
}

// Each tensor's offsets lie inside the data section and span exactly numel × dtype size bytes.
void check_tensor_extent(const TensorInfo& t, std::uint64_t data_size, const std::string& label) {
  const std::string where = tensor_text(t.name);
  if (t.end < t.begin) fail(label, ": ", where, " data_offsets ", offsets_text(t), " end before they begin");
  if (t.end > data_size)
    fail(label, ": ", where, " data_offsets ", offsets_text(t), " exceed the data section of ", data_size, " bytes");
  const std::uint64_t bits = detail::checked_mul(detail::element_count(t.shape, label + ": " + where),
                                                 dtype_bits(t.dtype), label, where + " size in bits");
  if (bits % 8 != 0) fail(label, ": ", where, " of dtype ", t.dtype, " does not end on a byte boundary");
  if (t.end - t.begin != bits / 8)
    fail(label, ": ", where, " of dtype ", t.dtype, " and shape ", shape_text(t.shape), " needs ", bits / 8,
         " bytes but data_offsets ", offsets_text(t), " hold ", t.end - t.begin);
}

// Sorted by offset, the tensors must tile [0, data_size) with no gap and no overlap.
void check_coverage(const std::vector<TensorInfo>& sorted, std::uint64_t data_size, const std::string& label) {
  std::uint64_t covered = 0;
  const TensorInfo* previous = nullptr;
  for (const TensorInfo& t : sorted) {
    if (t.begin < covered)
      fail(label, ": ", tensor_text(t.name), " data_offsets ", offsets_text(t), " overlap ",
           tensor_text(previous->name), " ", offsets_text(*previous));
    if (t.begin > covered)
      fail(label, ": gap in the data section: bytes [", covered, ", ", t.begin, ") before ", tensor_text(t.name),
           " belong to no tensor");
    covered = t.end;
    previous = &t;
  }
  if (covered != data_size)
    fail(label, ": gap in the data section: bytes [", covered, ", ", data_size, ") at its end belong to no tensor");
}

detail::FloatType loadable_type(const TensorInfo& t, const std::string& label) {
  if (t.dtype == "F32") return detail::FloatType::f32;
  if (t.dtype == "F16") return detail::FloatType::f16;
  if (t.dtype == "BF16") return detail::FloatType::bf16;
  if (t.dtype == "F64") return detail::FloatType::f64;
  fail(label, ": ", tensor_text(t.name), " has dtype ", t.dtype, "; only F32, F16, BF16 and F64 load as floats");
}

std::string available_names(const SafetensorsHeader& header) {
  constexpr std::size_t kListed = 20;  // keeps the message one readable line for large checkpoints
  std::string names;
  for (std::size_t i = 0; i < header.tensors.size() && i < kListed; ++i)
    names += (i ? ", " : "") + detail::printable(header.tensors[i].name);
  if (header.tensors.size() > kListed) names += ", and " + std::to_string(header.tensors.size() - kListed) + " more";
  return names.empty() ? "none" : names;
}

}  // namespace

SafetensorsHeader parse_safetensors(const std::uint8_t* bytes, std::size_t size, const std::string& label) {
  if (size < 8) fail(label, ": file of ", size, " bytes is too short to hold the 8-byte header length");
  detail::ByteCursor cursor(bytes, size, label);
  const std::uint64_t header_size = cursor.take_le(8, "header length");
  if (header_size > kMaxHeaderBytes)
    fail(label, ": header length ", header_size, " exceeds the ", kMaxHeaderBytes, "-byte limit");
  if (header_size > cursor.remaining()) fail(label, ": header length ", header_size, " exceeds file size ", size);
  const auto* text = reinterpret_cast<const char*>(cursor.take(header_size, "header"));
  if (header_size == 0 || text[0] != '{') fail(label, ": header does not start with '{'");
  const json root = parse_untrusted_json(std::string_view(text, header_size), label + ": header");

  SafetensorsHeader header;
  header.data_start = cursor.offset();
  const std::uint64_t data_size = cursor.remaining();
  for (const auto& [key, value] : root.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) fail(label, ": __metadata__ must be an object, got ", json_excerpt(value));
      for (const auto& [meta_key, meta_value] : value.items()) {
        if (!meta_value.is_string())
          fail(label, ": __metadata__ value of '", detail::printable(meta_key), "' must be a string");
        header.metadata[meta_key] = meta_value.get<std::string>();
      }
      continue;
    }
    header.tensors.push_back(parse_tensor_info(key, value, label));
    check_tensor_extent(header.tensors.back(), data_size, label);
  }
  std::stable_sort(header.tensors.begin(), header.tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  check_coverage(header.tensors, data_size, label);
  return header;
}

FloatMatrix load_safetensors_tensor(const std::uint8_t* bytes, std::size_t size, const SafetensorsHeader& header,
                                    const std::string& name, const std::string& label) {
  const auto found =
      std::find_if(header.tensors.begin(), header.tensors.end(), [&](const TensorInfo& t) { return t.name == name; });
  if (found == header.tensors.end())
    fail(label, ": no tensor named '", detail::printable(name), "'; available: ", available_names(header));
  const TensorInfo& t = *found;
  const detail::FloatType type = loadable_type(t, label);
  FloatMatrix m = detail::matrix_for_shape(t.shape, label + ": " + tensor_text(name));
  const std::uint64_t count = detail::element_count(t.shape, label);
  // The header may not come from these bytes, so the extent is checked again before reading.
  const std::uint64_t width = static_cast<std::uint64_t>(detail::float_type_size(type));
  if (header.data_start > size || t.end > size - header.data_start || t.begin > t.end ||
      t.end - t.begin != detail::checked_mul(count, width, label, "tensor size"))
    fail(label, ": ", tensor_text(name), " data_offsets ", offsets_text(t), " do not fit these ", size, " bytes");
  m.values = detail::decode_floats(bytes + header.data_start + t.begin, count, type);
  return m;
}

// ---- writer ------------------------------------------------------------------------------------------

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

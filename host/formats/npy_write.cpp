// .npy writer: v1.0, '<f4', C order, header laid out exactly as numpy.save writes it.
#include <string>

#include "embgeo/error.hpp"
#include "formats/formats.hpp"
#include "formats/little_endian.hpp"
#include "formats/matrix_shape.hpp"
#include "util/atomic_file.hpp"

namespace embgeo::formats {

void write_npy(const std::string& path, const FloatMatrix& m) {
  detail::check_matrix(m, path);
  const std::string shape = m.is_vector ? "(" + std::to_string(m.rows) + ",)"
                                        : "(" + std::to_string(m.rows) + ", " + std::to_string(m.cols) + ")";
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // magic (6) + version (2) + header length (2) + dict + '\n' is padded with spaces to a multiple of 64 so
  // the data is aligned for memory mapping.
  constexpr std::size_t kPrefix = 10, kAlign = 64;
  dict.append((kAlign - (kPrefix + dict.size() + 1) % kAlign) % kAlign, ' ');
  dict += '\n';

  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  detail::append_le(bytes, dict.size(), 2);
  bytes += dict;
  detail::append_f32_le(bytes, m.values.data(), m.values.size());
  write_file_atomically(path, bytes);
}

}  // namespace embgeo::formats

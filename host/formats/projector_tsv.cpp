// TensorBoard projector files: vectors.tsv (values only) and metadata.tsv (one token per line; a single
// column means no header line).
#include "formats/formats.hpp"
#include "formats/matrix_shape.hpp"
#include "formats/text_io.hpp"
#include "util/atomic_file.hpp"

namespace embgeo::formats {

void write_projector_tsv(const std::string& vectors_path, const std::string& metadata_path,
                         const std::vector<std::string>& tokens, const FloatMatrix& vectors) {
  detail::check_token_rows(tokens, vectors, vectors_path);
  const auto cols = static_cast<std::size_t>(vectors.cols);
  write_file_atomically(vectors_path, [&](std::ostream& out) {
    std::string line;
    for (std::size_t row = 0; row < tokens.size(); ++row) {
      line.clear();
      detail::append_floats(line, vectors.values.data() + row * cols, cols, '\t', false);
      line += '\n';
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
  });
  write_file_atomically(metadata_path, [&](std::ostream& out) {
    for (const std::string& token : tokens) out << escape_token(token) << '\n';
  });
}

}  // namespace embgeo::formats

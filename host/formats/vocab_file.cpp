// vocab.txt: one escaped token per line; the line number (from 0) is the token id.
#include "embgeo/error.hpp"
#include "formats/formats.hpp"
#include "formats/text_io.hpp"
#include "util/atomic_file.hpp"

namespace embgeo::formats {

void write_vocab(const std::string& path, const std::vector<std::string>& tokens) {
  write_file_atomically(path, [&](std::ostream& out) {
    for (const std::string& token : tokens) out << escape_token(token) << '\n';
  });
}

std::vector<std::string> parse_vocab(const std::uint8_t* bytes, std::size_t size, const std::string& label) {
  detail::LineReader lines(bytes, size);
  std::vector<std::string> tokens;
  std::string_view line;
  while (lines.next(line)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF; a token's own '\r' is escaped
    if (line.empty()) fail(label, ": line ", lines.line_number(), " is empty (the empty token is written \\e)");
    tokens.push_back(detail::unescape_token_at(line, label, lines.line_number()));
  }
  check_unique_tokens(tokens, 1, label);
  return tokens;
}

std::vector<std::string> read_vocab(const std::string& path) {
  const MappedFile file(path);
  return parse_vocab(file.data(), file.size(), path);
}

}  // namespace embgeo::formats

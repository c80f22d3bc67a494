// libFuzzer target for the text formats: the .vec reader in both token encodings, the vocab reader, and
// the token escaping invariant unescape_token(escape_token(s)) == s on the raw input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "embgeo/error.hpp"
#include "formats/formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace embgeo::formats;
  for (const TokenEncoding encoding : {TokenEncoding::escaped, TokenEncoding::raw}) {
    try {
      parse_word2vec_text(data, size, "fuzz.vec", encoding);
    } catch (const embgeo::Error&) {
    }
  }
  try {
    parse_vocab(data, size, "fuzz.txt");
  } catch (const embgeo::Error&) {
  }
  const std::string token(reinterpret_cast<const char*>(data), size);
  if (unescape_token(escape_token(token)) != token) std::abort();
  return 0;
}

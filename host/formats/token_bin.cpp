// llm.c token files (dev/data/data_common.py write_datafile): validated header, then ids straight into
// the corpus.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "data/tokenizers.hpp"
#include "embgeo/error.hpp"
#include "formats/formats.hpp"
#include "util/atomic_file.hpp"

// The header and tokens are little-endian and are read into memory as they lie in the file.
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "read_token_bin assumes a little-endian host"
#endif

namespace embgeo {
namespace {

constexpr int kHeaderInts = 256;
constexpr std::int64_t kHeaderBytes = kHeaderInts * 4;
struct Format {
  std::int32_t magic, version;
  int width;  // bytes per token
};
constexpr Format kGpt2{20240520, 1, 2}, kLlama3{20240801, 7, 4};
// No real tokenizer comes near 2^24 tokens; without a vocabulary file to vouch for them, ids that
// large mean a corrupt file, and naming them all "#i" would take gigabytes.
constexpr std::int32_t kMaxIdWithoutVocab = (1 << 24) - 1;
// A vocabulary implied by the largest id is believed up to this size whatever the ids used (Llama 3's
// 128256 fits, so a short sample of a real tokenizer's output loads), and beyond it only within
// kMaxImpliedPerDistinct × the distinct ids: one corrupt id must not cost a 2^24-row model.
constexpr std::int64_t kAlwaysBelievedVocab = 1 << 17;
constexpr std::int64_t kMaxImpliedPerDistinct = 100;

std::int64_t distinct_ids(const std::vector<std::int32_t>& ids, std::int32_t max_id) {
  std::vector<bool> seen(static_cast<std::size_t>(max_id) + 1, false);
  std::int64_t distinct = 0;
  for (const std::int32_t id : ids)
    if (!seen[id]) seen[id] = true, ++distinct;
  return distinct;
}

// Fills `ids`, already sized to the header count, from the token section of `width`-byte tokens.
void read_tokens(std::ifstream& in, const std::string& path, int width, std::vector<std::int32_t>& ids) {
  char* bytes = reinterpret_cast<char*>(ids.data());
  const auto n = static_cast<std::int64_t>(ids.size());
  in.read(bytes, static_cast<std::streamsize>(n * width));
  if (in.gcount() != static_cast<std::streamsize>(n * width)) fail("cannot read the tokens of '", path, "'");
  if (width == 4) return;
  // The uint16 tokens fill the first half of the buffer; widening from the back writes token i over
  // bytes [4i, 4i+4), which only hold tokens i and above, already widened.
  for (std::int64_t i = n - 1; i >= 0; --i) {
    std::uint16_t token;
    std::memcpy(&token, bytes + 2 * i, 2);
    ids[i] = token;
  }
}

}  // namespace

Corpus read_token_bin(const std::string& path, const std::string& vocab_path, std::int64_t vocab_size) {
  if (vocab_size < 0 || vocab_size > std::int64_t{kMaxIdWithoutVocab} + 1)
    fail("--vocab-size must be in [1, ", std::int64_t{kMaxIdWithoutVocab} + 1, "], got ", vocab_size);
  if (vocab_size > 0 && !vocab_path.empty()) fail("--vocab and --vocab-size both state the vocabulary; give one");
  // The vocabulary first: a wrong vocabulary path should not cost reading a large token file.
  Corpus corpus;
  corpus.name = path;
  if (!vocab_path.empty()) corpus.vocab.tokens = formats::read_vocab(vocab_path);

  struct stat info {};
  if (stat(path.c_str(), &info) != 0) fail("cannot open '", path, "': ", std::strerror(errno));
  if (!S_ISREG(info.st_mode)) fail("'", path, "' is not a regular file");
  const std::int64_t file_bytes = info.st_size;
  if (file_bytes < kHeaderBytes)
    fail("'", path, "' is ", file_bytes, " bytes, shorter than the ", kHeaderBytes, "-byte llm.c token file header");

  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open '", path, "': ", std::strerror(errno));
  std::int32_t header[kHeaderInts];
  in.read(reinterpret_cast<char*>(header), kHeaderBytes);
  if (in.gcount() != kHeaderBytes) fail("cannot read the header of '", path, "'");

  if (header[0] != kGpt2.magic && header[0] != kLlama3.magic)
    fail("'", path, "' is not an llm.c token file: magic ", header[0], ", expected ", kGpt2.magic,
         " (uint16 tokens) or ", kLlama3.magic, " (uint32 tokens)");
  const Format& format = header[0] == kGpt2.magic ? kGpt2 : kLlama3;
  if (header[1] != format.version)
    fail("'", path, "': version ", header[1], " is not supported for magic ", format.magic, " (expected ",
         format.version, ")");
  const int width = format.width;
  const std::int64_t count = header[2];
  if (count < 0) fail("'", path, "': header token count ", count, " is negative");
  if (count == 0) fail("'", path, "' holds no tokens");
  const std::int64_t token_bytes = file_bytes - kHeaderBytes;
  if (token_bytes != count * width)
    fail("'", path, "': header says ", count, " tokens of ", width, " bytes (", count * width, " bytes) but ",
         token_bytes, " bytes follow the header (", token_bytes < count * width ? "truncated" : "trailing data", ")");

  corpus.ids.resize(static_cast<std::size_t>(count));
  read_tokens(in, path, width, corpus.ids);

  std::int32_t max_id = 0;
  for (std::size_t i = 0; i < corpus.ids.size(); ++i) {
    // Only uint32 tokens of 2^31 and above read as negative int32.
    if (corpus.ids[i] < 0)
      fail("'", path, "': token id ", static_cast<std::uint32_t>(corpus.ids[i]), " at position ", i,
           " does not fit in int32");
    if (vocab_path.empty() && corpus.ids[i] > kMaxIdWithoutVocab)
      fail("'", path, "': token id ", corpus.ids[i], " at position ", i, " is above ", kMaxIdWithoutVocab,
           "; give a vocabulary file if ids that large are real");
    max_id = std::max(max_id, corpus.ids[i]);
  }
  if (!vocab_path.empty()) {
    const std::string what = "'" + path + "' with vocabulary '" + vocab_path + "' (" +
                             std::to_string(corpus.vocab.size()) + " lines)";
    check_token_ids(corpus.ids, corpus.vocab.size(), what.c_str());
  } else if (vocab_size > 0) {
    const std::string what = "'" + path + "' with --vocab-size " + std::to_string(vocab_size);
    check_token_ids(corpus.ids, static_cast<int>(vocab_size), what.c_str());
  } else {
    const std::int64_t implied = std::int64_t{max_id} + 1, distinct = distinct_ids(corpus.ids, max_id);
    if (implied > kAlwaysBelievedVocab && implied > kMaxImpliedPerDistinct * distinct)
      fail("'", path, "': the largest token id ", max_id, " implies ", implied, " vocabulary rows but only ", distinct,
           " distinct ids occur (a corrupt id?); give --vocab-size N or --vocab FILE if the vocabulary is that large");
  }
  if (corpus.vocab.tokens.empty()) {
    const std::int64_t V = vocab_size > 0 ? vocab_size : std::int64_t{max_id} + 1;
    corpus.vocab.tokens.reserve(static_cast<std::size_t>(V));
    for (std::int64_t id = 0; id < V; ++id) corpus.vocab.tokens.push_back("#" + std::to_string(id));
  }
  corpus.train_tokens = count;
  return corpus;
}

void write_token_bin(const std::string& path, const std::vector<std::int32_t>& ids) {
  if (ids.empty() || ids.size() > static_cast<std::size_t>(INT32_MAX)) fail("internal: a token file of ", ids.size(), " ids");
  std::int32_t header[kHeaderInts] = {kLlama3.magic, kLlama3.version, static_cast<std::int32_t>(ids.size())};
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(reinterpret_cast<const char*>(header), kHeaderBytes);
    out.write(reinterpret_cast<const char*>(ids.data()), static_cast<std::streamsize>(ids.size() * sizeof(std::int32_t)));
  });
}

}  // namespace embgeo

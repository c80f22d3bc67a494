#pragma once
// Embedding file formats: safetensors, NumPy .npy, word2vec text .vec, TensorBoard projector TSV and
// vocab.txt, each written and read exactly as its spec says, so PyTorch, NumPy, gensim/fastText and the
// projector load what we write.
//
// Conventions shared by every function here:
// - Readers take an in-memory byte span (map a file with MappedFile) plus a `label` — usually the path —
//   that starts every error message: "model.safetensors: header length 9999 exceeds file size 120".
//   They never read outside [bytes, bytes + size) and check every size computation for overflow.
// - Writers go through write_file_atomically, so a failure never leaves a half-written file.
// - Every failure is an embgeo::Error with a one-line message.
//
// API summary:
//   struct FloatMatrix { rows, cols, is_vector, values };        row-major float32
//   class MappedFile(path)        .data() .size() .path()        read-only mmap, RAII, move-only
//   parse_safetensors(bytes, size, label) -> SafetensorsHeader
//   load_safetensors_tensor(bytes, size, header, name, label) -> FloatMatrix
//   write_safetensors(path, {{name, matrix}...}, metadata)
//   parse_npy(bytes, size, label) -> FloatMatrix
//   write_npy(path, matrix)
//   parse_word2vec_text(bytes, size, label, TokenEncoding) -> WordVectors
//   write_word2vec_text(path, tokens, vectors)
//   write_projector_tsv(vectors_path, metadata_path, tokens, vectors)
//   parse_vocab(bytes, size, label) / read_vocab(path) -> tokens;  write_vocab(path, tokens)
//   check_unique_tokens(tokens, first_line, label)
//   escape_token(token) / unescape_token(text)
//   f16_to_float, bf16_to_float, float_to_f16, float_to_bf16
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace embgeo::formats {

// A 1-D or 2-D float tensor. A 1-D tensor of n elements is rows = n, cols = 1, is_vector = true; the flag
// is what lets writers emit shape [n] rather than [n, 1], so a bias vector round-trips with its rank.
// Callers aggregate-initialize it as {rows, cols, is_vector, values}: keep the field order.
struct FloatMatrix {
  std::int64_t rows = 0, cols = 0;
  bool is_vector = false;     // 1-D: shape [rows]; requires cols == 1
  std::vector<float> values;  // row-major, rows × cols
};

// A whole file mapped read-only. Error when it is missing, not a regular file, unreadable or empty.
// Reading a mapped file that another process truncates raises SIGBUS; our writers replace files by rename,
// which leaves an existing mapping intact.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  void release() noexcept;
  std::string path_;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// ---- safetensors -------------------------------------------------------------------------------------
// Layout: u64 little-endian N, N bytes of UTF-8 JSON header (begins with '{', may be padded with spaces),
// then the data section. Header: {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets":
// [begin, end]}}, offsets relative to the data section.

struct TensorInfo {
  std::string name;
  std::string dtype;                 // any safetensors dtype; F32, F16, BF16 and F64 are loadable
  std::vector<std::int64_t> shape;   // empty for a scalar
  std::uint64_t begin = 0, end = 0;  // byte offsets into the data section
};

struct SafetensorsHeader {
  std::vector<TensorInfo> tensors;  // in data order (sorted by begin offset)
  std::map<std::string, std::string> metadata;
  std::uint64_t data_start = 0;  // absolute offset of the data section: 8 + N
};

// Validates what the reference implementation does: header length against the file size (and its
// 100 MB cap), UTF-8 JSON object without duplicate keys, known dtypes, non-negative shapes, offsets that
// tile the whole data section with no gap or overlap, and each tensor's byte count == numel × dtype size.
SafetensorsHeader parse_safetensors(const std::uint8_t* bytes, std::size_t size, const std::string& label);

// Decodes one F32/F16/BF16/F64 tensor to float32: 1-D → a vector (rows = n, cols = 1), 2-D → rows × cols.
// Error for an unknown name (the message lists the available ones), another dtype, or another rank.
FloatMatrix load_safetensors_tensor(const std::uint8_t* bytes, std::size_t size, const SafetensorsHeader& header,
                                    const std::string& name, const std::string& label);

// Writes every tensor as F32 in the given order (a vector as shape [rows]); metadata goes under
// "__metadata__" (omitted when empty). The header is padded with spaces so the data section starts
// 8-byte aligned, as the Rust reference writer does. Error on duplicate or reserved names.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, FloatMatrix>>& tensors,
                       const std::map<std::string, std::string>& metadata);

// ---- NumPy .npy --------------------------------------------------------------------------------------
// Layout: "\x93NUMPY", major, minor, header length (u16 LE in v1.0, u32 LE in v2.0/3.0), a Python dict
// literal {'descr': ..., 'fortran_order': ..., 'shape': (...)} padded with spaces and '\n', then the data.

// Reads v1.0, v2.0 and v3.0 files holding '<f4', '<f2' or '<f8' (converted to float32), 1-D or 2-D, in C
// order. Error on bad magic, unknown version, Fortran order, big-endian or other dtypes, a malformed
// header, and data that is shorter or longer than the shape says.
FloatMatrix parse_npy(const std::uint8_t* bytes, std::size_t size, const std::string& label);

// Writes v1.0, '<f4', C order, shape (rows, cols) or (rows,) for a vector; the header is padded so the data
// starts 64-byte aligned, as numpy.save does.
void write_npy(const std::string& path, const FloatMatrix& m);

// ---- word2vec text .vec ------------------------------------------------------------------------------
// First line "V D", then V lines "token v1 ... vD" separated by single spaces.

struct WordVectors {
  std::vector<std::string> tokens;
  FloatMatrix vectors;  // V × D
};

// How tokens in a .vec file are spelled: `escaped` for files written by write_word2vec_text (tokens pass
// through unescape_token), `raw` for files from other tools (tokens are taken verbatim).
enum class TokenEncoding { escaped, raw };

// Like gensim's reader, trailing whitespace on a line is ignored (fastText ends rows with a space) and the
// fields are split on single spaces; values are what std::from_chars accepts (decimal, scientific, inf,
// nan; no leading '+'). Error on a bad header, a row with the wrong number of values or a
// non-numeric value (naming the line), and fewer or more rows than the header declares. Duplicate tokens are
// kept as separate rows (gensim keeps only the first, with a warning).
WordVectors parse_word2vec_text(const std::uint8_t* bytes, std::size_t size, const std::string& label,
                                TokenEncoding encoding = TokenEncoding::escaped);

// Tokens are escaped so every line stays one line of single-space-separated fields, loadable with gensim's
// KeyedVectors.load_word2vec_format(binary=False). Floats use the shortest text that reads back to the
// same float32 bits.
void write_word2vec_text(const std::string& path, const std::vector<std::string>& tokens, const FloatMatrix& vectors);

// ---- TensorBoard projector ---------------------------------------------------------------------------
// vectors.tsv: one row per token, values separated by tabs, no header. metadata.tsv: one escaped token per
// line and, being a single column, no header line (the projector treats a one-column file that way).
void write_projector_tsv(const std::string& vectors_path, const std::string& metadata_path,
                         const std::vector<std::string>& tokens, const FloatMatrix& vectors);

// ---- vocab.txt ---------------------------------------------------------------------------------------
// One escaped token per line, line k (from 0) is token id k; every line ends with '\n'.
void write_vocab(const std::string& path, const std::vector<std::string>& tokens);
// Accepts a missing final newline and CRLF line ends; an empty line is an error (the empty token is "\e"),
// and so is a repeated token (a vocabulary names each id once).
std::vector<std::string> parse_vocab(const std::uint8_t* bytes, std::size_t size, const std::string& label);
// parse_vocab on the mapped file; like MappedFile, Error for an empty file (a vocabulary has tokens).
std::vector<std::string> read_vocab(const std::string& path);

// Fails naming the first token that repeats an earlier one and both their lines (token i is on line
// first_line + i): lookups by name find only the first, so a repeated name would hide a row. parse_vocab
// applies it; a .vec reader's caller applies it where rows are looked up by name.
void check_unique_tokens(const std::vector<std::string>& tokens, std::size_t first_line, const std::string& label);

// ---- token escaping ----------------------------------------------------------------------------------
// Tokens may hold spaces, tabs, newlines, backslashes, control bytes, stray bytes of a byte-level
// tokenizer, or be empty; the escaped form is non-empty, free of ASCII whitespace and control bytes, and
// valid UTF-8 (gensim decodes strictly). In C++ literal notation:
//   '\\' → "\\\\"   ' ' → "\\s"   '\t' → "\\t"   '\n' → "\\n"   '\r' → "\\r"
//   other bytes < 0x20, 0x7F, and bytes that are not part of a valid UTF-8 sequence → "\\xHH" (lowercase hex)
//   the empty token → "\\e"
// Valid multi-byte UTF-8 passes through unchanged.
std::string escape_token(const std::string& token);
// Exact inverse of escape_token (other bytes pass through); Error on a malformed escape.
std::string unescape_token(const std::string& text);

// ---- half precision ----------------------------------------------------------------------------------
// IEEE binary16 and bfloat16 to and from float32; narrowing rounds to nearest even, keeps NaN a NaN and
// overflows to ±infinity.
float f16_to_float(std::uint16_t bits);
float bf16_to_float(std::uint16_t bits);
std::uint16_t float_to_f16(float value);
std::uint16_t float_to_bf16(float value);

}  // namespace embgeo::formats

#pragma once
// Looking inside a real embedding matrix (e.g. LLaMA's tok_embeddings, 128256×2048): load it from
// safetensors / .npy / word2vec .vec, name its rows, and answer the questions one asks in a notebook.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "data/corpus.hpp"
#include "embgeo/shape.hpp"
#include "metrics/metrics.hpp"

namespace embgeo {

// Tables larger than this are refused up front (2^27 rows of up to 2^16 dims would not fit in memory anyway).
constexpr std::int64_t kMaxVocabRows = 1 << 27;
constexpr std::int64_t kMaxDimCols = 1 << 16;

struct EmbeddingTable {
  std::string source;               // file path
  std::string format;               // "safetensors", "npy", "vec"
  std::string tensor;               // tensor name inside a safetensors file
  std::string dtype;                // dtype on disk
  int V = 0, D = 0;
  std::vector<float> values;        // V×D row-major, converted to float32
  std::vector<std::string> tokens;  // V names: from the .vec, --vocab, or "#id"
  bool named = false;               // whether tokens came from a vocabulary
};

struct TensorListing {
  std::string name, dtype;
  std::vector<std::int64_t> shape;
};

// Format from the file's first bytes (safetensors header length, "\x93NUMPY", or a "V D" text line).
std::string detect_format(const std::string& path);
std::vector<TensorListing> list_tensors(const std::string& path);

// tensor: the safetensors tensor to load; empty picks the only 2-D tensor, or else one whose name says
// embedding (embed, tok_embeddings, wte, word_embeddings), or fails listing the candidates.
// vocab_path: vocab.txt (one token per line) or a Hugging Face tokenizer.json; its size must match V.
EmbeddingTable load_embedding_table(const std::string& path, const std::string& tensor, const std::string& vocab_path);

// Hugging Face tokenizer.json: model.vocab {token: id} plus added_tokens; ids outside [0, V) are an error,
// ids it does not name are "#id".
std::vector<std::string> read_tokenizer_json(const std::string& path, int V);

// A token text or "#id" → row id; Error naming the token when unknown.
int resolve_token(const EmbeddingTable& table, const std::string& token);

struct RowNorm {
  int id = 0;
  double norm = 0;
};

struct TableSummary {
  int V = 0, D = 0;
  std::int64_t parameters = 0;
  double bytes_fp32 = 0, bytes_bf16 = 0, bytes_int8 = 0;
  double mean = 0, stddev = 0, min = 0, max = 0;  // over all values
  metrics::Summary norms;
  std::vector<RowNorm> largest, smallest;         // 5 each
};
TableSummary summarize_table(const EmbeddingTable& table);

struct TokenRow {
  int id = 0;
  std::vector<float> head;                       // first values of the row (up to 8)
  double norm = 0;
  std::vector<std::pair<int, float>> top_dims;   // 10 largest |value|: (dimension, value)
};
TokenRow describe_row(const EmbeddingTable& table, int id);

// The CPU index refers to `table` without copying it (a real table is a gigabyte), so `table` must outlive
// the index; the CUDA index copies the table to the device.
std::unique_ptr<NeighborIndex> make_cpu_neighbor_index(const std::vector<float>& table, int V, int D);

// Symmetric int8 quantization (per tensor or per row): reconstruction error and how much it changes the
// nearest-neighbour lists of `queries` (mean overlap of the top-k sets, 1 = unchanged).
struct QuantizationReport {
  std::string scheme;
  double rmse = 0, max_abs_error = 0, relative_error = 0;  // relative: ‖E − Ê‖ / ‖E‖
  double neighbor_overlap = 0;
  int queries = 0, k = 0;
};
std::vector<float> quantize_int8_roundtrip(const std::vector<float>& values, int V, int D, bool per_row);
// `make_index` builds the search for a table (CPU or GPU), used alike for the original and the restored one.
using IndexMaker = std::function<std::unique_ptr<NeighborIndex>(const std::vector<float>& table)>;
QuantizationReport quantization_report(const EmbeddingTable& table, bool per_row, const IndexMaker& make_index,
                                       const std::vector<int>& queries, int k);

// The geometry yardstick of `train` (its geometry and successor scores) taken on any named table, e.g. one
// gensim or fastText wrote: a text tokenized as `train` tokenizes it, each token matched by its text to the
// row of that name, tokens without a row dropped (another tool's table has its own vocabulary). Like
// `train`, it measures the text before the held-out tail a --val-fraction split leaves out (0: the whole text),
// cut at the same token, and counts co-occurrence within `window` positions (train's --ctx).
struct CorpusYardstickOptions {
  std::string path;                             // the UTF-8 text; empty: no yardstick
  std::string tokenizer = "word";               // word | char, as in train
  int window = ModelShape{}.C;                  // train's window is its context length C
  double val_fraction = kDefaultValFraction;    // in [0, 1)
};

struct FrequentTokenNeighbors {
  int id = 0;
  std::int64_t count = 0;                       // occurrences in the measured stream
  std::vector<metrics::Neighbor> neighbors;
};

struct CorpusYardstick {
  std::int64_t tokens = 0;            // the whole text
  std::int64_t measured = 0;          // before the held-out tail
  std::int64_t mapped = 0;            // measured tokens with a row; the rest were dropped
  std::int64_t distinct = 0;          // distinct tokens in the measured part
  std::int64_t distinct_mapped = 0;   // of those, how many have a row
  int score_tokens = 0;               // tokens the scores pair up (the most frequent, capped as in train)
  double geometry_score = 0, successor_score = 0;
  std::vector<FrequentTokenNeighbors> frequent;  // the 5 most frequent mapped tokens
};

// Checks the options, then reads and tokenizes the text, train_tokens marking the measured part: done
// before the table loads, so a mistake fails fast. One-line Error on a bad option or file.
Corpus read_yardstick_corpus(const CorpusYardstickOptions& options);
// Error when the table's rows have no names or fewer than 2 measured tokens have a row.
CorpusYardstick corpus_yardstick(const EmbeddingTable& table, const Corpus& corpus, int window, int k);

// Parameter counts of well-known embedding tables for `params`.
struct ModelPreset {
  std::string name;
  int V = 0, D = 0;
  std::int64_t total_parameters = 0;  // whole model, 0 when not known here
};
const std::vector<ModelPreset>& model_presets();

// `inspect FILE ...` and `params` as the CLI runs them; the report goes to `out`, errors are thrown.
struct InspectOptions {
  std::string file, tensor, vocab, device = "auto", quantize, out_dir = "runs/inspect";
  bool list = false, as_json = false;
  std::vector<std::string> tokens, neighbors, similarity, analogy;
  std::string pca;
  int k = 10;
  CorpusYardstickOptions corpus;
};
int run_inspect(const InspectOptions& options, std::ostream& out);
int run_params(int V, int D, const std::string& preset, std::ostream& out);

}  // namespace embgeo

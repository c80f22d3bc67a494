// Reading an embedding table from any of the supported files and naming its rows.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>

#include "data/corpus.hpp"
#include "embgeo/error.hpp"
#include "embgeo/tensor_checks.hpp"
#include "formats/formats.hpp"
#include "formats/untrusted_json.hpp"
#include "inspect/inspect.hpp"

namespace embgeo {
namespace {

bool looks_like_embedding(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* hint : {"embed", "tok_embeddings", "wte", "word_embeddings"})
    if (lower.find(hint) != std::string::npos) return true;
  return false;
}

std::string pick_tensor(const formats::SafetensorsHeader& header, const std::string& path) {
  std::vector<std::string> matrices, embeddings;
  for (const formats::TensorInfo& t : header.tensors)
    if (t.shape.size() == 2) {
      matrices.push_back(t.name);
      if (looks_like_embedding(t.name)) embeddings.push_back(t.name);
    }
  if (matrices.size() == 1) return matrices.front();
  if (embeddings.size() == 1) return embeddings.front();
  if (matrices.empty()) fail(path, ": no 2-D tensor to inspect");
  std::string names;
  for (const std::string& n : embeddings.empty() ? matrices : embeddings) names += (names.empty() ? "" : ", ") + n;
  fail(path, ": several candidate tensors (", names, "); choose one with --tensor");
}

void set_dimensions(EmbeddingTable& t, std::int64_t rows, std::int64_t cols) {
  if (rows < 1 || cols < 1 || rows > kMaxVocabRows || cols > kMaxDimCols)
    fail(t.source, ": a ", rows, "×", cols, " table is not an embedding matrix this tool can inspect");
  t.V = static_cast<int>(rows);
  t.D = static_cast<int>(cols);
}

}  // namespace

std::string detect_format(const std::string& path) {
  const formats::MappedFile file(path);
  const std::uint8_t* b = file.data();
  if (file.size() >= 6 && std::memcmp(b, "\x93NUMPY", 6) == 0) return "npy";
  // The header length is deliberately not compared with the file size here: a truncated safetensors file
  // must still reach parse_safetensors, which says what is wrong ("header length N exceeds file size M").
  // Text never matches: a .vec's first eight bytes are all non-zero, so as a length they exceed 2^32.
  if (file.size() >= 9 && b[8] == '{') {
    std::uint64_t header = 0;
    for (int i = 7; i >= 0; --i) header = (header << 8) | b[i];
    if (header > 0 && header >> 32 == 0) return "safetensors";
  }
  if (std::isdigit(b[0])) return "vec";
  fail(path, ": not a safetensors, .npy or word2vec .vec file");
}

std::vector<TensorListing> list_tensors(const std::string& path) {
  const std::string format = detect_format(path);
  const formats::MappedFile file(path);
  if (format == "safetensors") {
    std::vector<TensorListing> out;
    for (const formats::TensorInfo& t : formats::parse_safetensors(file.data(), file.size(), path).tensors)
      out.push_back({t.name, t.dtype, t.shape});
    return out;
  }
  const EmbeddingTable t = load_embedding_table(path, "", "");
  return {{format == "npy" ? "array" : "vectors", t.dtype, {t.V, t.D}}};
}

EmbeddingTable load_embedding_table(const std::string& path, const std::string& tensor, const std::string& vocab_path) {
  EmbeddingTable t;
  t.source = path;
  t.format = detect_format(path);
  const formats::MappedFile file(path);
  formats::FloatMatrix m;
  if (t.format == "safetensors") {
    const formats::SafetensorsHeader header = formats::parse_safetensors(file.data(), file.size(), path);
    t.tensor = tensor.empty() ? pick_tensor(header, path) : tensor;
    for (const formats::TensorInfo& info : header.tensors)
      if (info.name == t.tensor) t.dtype = info.dtype;
    m = formats::load_safetensors_tensor(file.data(), file.size(), header, t.tensor, path);
    if (m.is_vector) fail(path, ": tensor '", t.tensor, "' is 1-D; an embedding table is 2-D");
  } else if (t.format == "npy") {
    if (!tensor.empty()) fail("--tensor applies to safetensors files only");
    m = formats::parse_npy(file.data(), file.size(), path);
    t.dtype = "float (npy)";
    if (m.is_vector) fail(path, ": the array is 1-D; an embedding table is 2-D");
  } else {
    if (!tensor.empty()) fail("--tensor applies to safetensors files only");
    // Our own .vec files escape their tokens; other tools' files may hold backslashes that are no escapes.
    formats::WordVectors words;
    try {
      words = formats::parse_word2vec_text(file.data(), file.size(), path, formats::TokenEncoding::escaped);
    } catch (const Error&) {
      words = formats::parse_word2vec_text(file.data(), file.size(), path, formats::TokenEncoding::raw);
    }
    formats::check_unique_tokens(words.tokens, 2, path);  // the .vec header is line 1: token i is on line i + 2
    m = std::move(words.vectors);
    t.tokens = std::move(words.tokens);
    t.named = true;
    t.dtype = "text";
  }
  set_dimensions(t, m.rows, m.cols);
  // Every measurement needs finite values; refused here, the message names the file and the element.
  check_matrix(m.values, t.V, t.D, (t.tensor.empty() ? path : path + " [" + t.tensor + "]").c_str());
  t.values = std::move(m.values);
  if (!vocab_path.empty()) {
    const bool json = vocab_path.size() >= 5 && vocab_path.compare(vocab_path.size() - 5, 5, ".json") == 0;
    t.tokens = json ? read_tokenizer_json(vocab_path, t.V) : formats::read_vocab(vocab_path);
    if (static_cast<int>(t.tokens.size()) != t.V)
      fail(vocab_path, " names ", t.tokens.size(), " tokens but the table has ", t.V, " rows");
    t.named = true;
  }
  if (t.tokens.empty())
    for (int i = 0; i < t.V; ++i) t.tokens.push_back("#" + std::to_string(i));
  return t;
}

std::vector<std::string> read_tokenizer_json(const std::string& path, int V) {
  const nlohmann::json j = formats::parse_untrusted_json(read_text_file(path), path);
  std::vector<std::string> tokens(V);
  for (int i = 0; i < V; ++i) tokens[i] = "#" + std::to_string(i);
  auto name = [&](const std::string& token, const nlohmann::json& id) {
    if (!id.is_number_integer()) fail(path, ": id of token '", token, "' is not an integer");
    const auto value = id.get<std::int64_t>();
    if (value < 0 || value >= V) fail(path, ": token '", token, "' has id ", value, " outside the table's ", V, " rows");
    tokens[value] = token;
  };
  const nlohmann::json* vocab = j.contains("model") && j["model"].is_object() && j["model"].contains("vocab") ? &j["model"]["vocab"] : nullptr;
  if (!vocab || !vocab->is_object()) fail(path, ": no model.vocab object (is this a Hugging Face tokenizer.json?)");
  for (const auto& [token, id] : vocab->items()) name(token, id);
  if (j.contains("added_tokens") && j["added_tokens"].is_array())
    for (const nlohmann::json& added : j["added_tokens"])
      if (added.contains("content") && added.contains("id") && added["content"].is_string())
        name(added["content"].get<std::string>(), added["id"]);
  return tokens;
}

int resolve_token(const EmbeddingTable& table, const std::string& token) { return token_id(table.tokens, token); }

}  // namespace embgeo

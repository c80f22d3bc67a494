// `inspect --corpus`: train's geometry and successor scores, and the neighbours of the most frequent tokens,
// taken on any named table over a text whose tokens are matched to the table's rows by their text.
#include <algorithm>
#include <unordered_map>

#include "data/tokenizers.hpp"
#include "embgeo/error.hpp"
#include "inspect/inspect.hpp"
#include "train/geometry.hpp"

namespace embgeo {
namespace {

constexpr std::size_t kFrequentQueries = 5;

}  // namespace

Corpus read_yardstick_corpus(const CorpusYardstickOptions& o) {
  if (o.tokenizer != "word" && o.tokenizer != "char") fail("--tokenizer must be word or char, got '", o.tokenizer, "'");
  check_dimension("--window", o.window, kMaxContext);  // train's --ctx, whose limit it shares
  if (!(o.val_fraction >= 0.0 && o.val_fraction < 1.0)) fail("--val-fraction must be in [0, 1), got ", o.val_fraction);
  const std::string text = read_text_file(o.path);
  // min_count 1: every word keeps its own text to find its row by (train's <unk> stands for many words and
  // names no row of another tool's table).
  Corpus corpus = o.tokenizer == "word" ? make_word_corpus(text, o.path, 1) : make_char_corpus(text, o.path);
  // Cut where train's split cuts, counting every token of the text, so a table of ours is measured on
  // exactly the stream its run measured.
  const auto n = static_cast<std::int64_t>(corpus.ids.size());
  corpus.train_tokens = n - held_out_tokens(n, o.val_fraction);
  return corpus;
}

CorpusYardstick corpus_yardstick(const EmbeddingTable& t, const Corpus& corpus, int window, int k) {
  if (!t.named)
    fail("--corpus matches tokens to rows by name, but the rows of ", t.source, " have none; name them with --vocab");
  // One pass over the table's names against the text's distinct tokens: a real table has far more rows than a
  // text has distinct tokens, so the small side is the one hashed. A name given twice keeps its first row.
  std::unordered_map<std::string, int> corpus_id;
  for (int c = 0; c < corpus.vocab.size(); ++c) corpus_id.emplace(corpus.vocab.tokens[c], c);
  std::vector<int> row_of(corpus.vocab.size(), -1);  // corpus id → table row, −1: none
  for (int row = 0; row < t.V; ++row) {
    const auto it = corpus_id.find(t.tokens[row]);
    if (it != corpus_id.end() && row_of[it->second] < 0) row_of[it->second] = row;
  }

  CorpusYardstick y;
  y.tokens = static_cast<std::int64_t>(corpus.ids.size());
  y.measured = corpus.train_tokens;
  // Tokens without a row leave the stream, so windows reach across them, as word2vec's do across words
  // outside its vocabulary.
  std::vector<std::int32_t> ids;  // the measured stream as table rows
  std::vector<char> seen(corpus.vocab.size(), 0);
  for (std::int64_t i = 0; i < corpus.train_tokens; ++i) {
    const std::int32_t c = corpus.ids[i];
    if (!seen[c]) {
      seen[c] = 1;
      ++y.distinct;
      y.distinct_mapped += row_of[c] >= 0;
    }
    if (row_of[c] >= 0) ids.push_back(row_of[c]);
  }
  y.mapped = static_cast<std::int64_t>(ids.size());
  if (y.mapped < 2)
    fail(corpus.name, ": ", y.mapped, " of the ", y.measured, " tokens measured have a row in ", t.source,
         "; the scores need at least 2 (is --tokenizer the one the table was trained with?)");

  // The counts and the token cap train's GeometryRecorder uses, so the numbers are the ones a run reports.
  const int max_tokens = GeometryOptions{}.max_score_tokens;
  const metrics::Cooccurrence co = metrics::count_cooccurrence(ids, t.V, window);
  const metrics::Cooccurrence successors = metrics::count_successors(ids, t.V, window);
  y.geometry_score = metrics::geometry_score(t.values, t.V, t.D, co, max_tokens);
  y.successor_score = metrics::geometry_score(t.values, t.V, t.D, successors, max_tokens);
  const std::vector<int> by_frequency = metrics::tokens_by_frequency(co);
  y.score_tokens = static_cast<int>(std::min<std::size_t>(by_frequency.size(), max_tokens));
  for (std::size_t i = 0; i < std::min(kFrequentQueries, by_frequency.size()); ++i) {
    const int id = by_frequency[i];
    y.frequent.push_back({id, co.frequency[id],
                          metrics::nearest_neighbors(t.values, t.V, t.D, &t.values[static_cast<std::size_t>(id) * t.D], k, {id})});
  }
  return y;
}

}  // namespace embgeo

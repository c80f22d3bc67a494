// fastText as a bench peer: `fasttext cbow -loss softmax` without subwords or subsampling on one thread, its
// words/sec/thread and average loss read from the progress line it prints at 100%.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "bench/child_process.hpp"
#include "bench/text_peers.hpp"
#include "embgeo/error.hpp"

namespace embgeo {
namespace {

std::string fasttext_binary() {
  if (const char* path = std::getenv("EMBGEO_FASTTEXT"); path && *path) return path;
  return "fasttext";
}

// The number after the last `label` in fastText's output (its progress lines overwrite each other with '\r').
double last_figure(const std::string& output, const std::string& label) {
  const std::size_t at = output.rfind(label);
  if (at == std::string::npos) fail("fastText printed no '", label, "' (is it fastText 0.9?)");
  return std::strtod(output.c_str() + at + label.size(), nullptr);
}

std::string package_version(const std::string& package) {
  const ChildResult r = run_child({"dpkg-query", "-W", "-f=${Version}", package}, "dpkg-query");
  return r.ok ? r.output : "unknown";
}

}  // namespace

TextPeerResult run_fasttext_peer(const TextPeerRun& run) {
  const std::string binary = fasttext_binary();
  const std::string prefix = std::filesystem::path(run.vec_path).replace_extension().string();  // fastText adds .vec
  // -minn 0 -maxn 0: no character n-grams, so a word's vector is its own row, as ours; -t 1: no subsampling
  // (a word is dropped with probability 1 - sqrt(t/f) - t/f, never when t = 1); -minCount 1: every word kept.
  const auto start = std::chrono::steady_clock::now();
  ChildResult r;
  try {
    r = run_child({binary, "cbow", "-input", run.text_path, "-output", prefix, "-loss", "softmax", "-minn", "0",
                   "-maxn", "0", "-dim", std::to_string(run.dim), "-ws", std::to_string(run.window), "-epoch",
                   std::to_string(run.epochs), "-minCount", "1", "-t", "1", "-thread", "1", "-verbose", "2"},
                  "the fastText peer");
  } catch (const Error&) {
    fail("the fastText peer '", binary, "' cannot be run (Debian: apt-get install fasttext, or set EMBGEO_FASTTEXT)");
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::remove(prefix + ".bin");
  if (!r.ok) fail("the fastText peer failed: ", r.last_line);
  if (!std::filesystem::exists(run.vec_path))
    fail("the fastText peer wrote no ", run.vec_path);
  return {package_version("fasttext"), last_figure(r.output, "words/sec/thread:"), last_figure(r.output, "avg.loss:"),
          wall};
}

}  // namespace embgeo

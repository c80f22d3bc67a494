#pragma once
// Output files are written to a temporary name beside the target, flushed to disk (fsync) and renamed into
// place, so a failure, a signal or a power loss never leaves a half-written file under the final name.
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace embgeo {

// Calls `write` with a stream on a temporary file, then renames it to `path`. On any error (including an
// exception from `write`) the temporary is removed and an embgeo::Error names the path.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);
void write_file_atomically(const std::string& path, const std::string& content);

// mkdir -p; Error when it cannot be created or exists as a non-directory.
void make_directories(const std::string& path);

// Creates `dir` first (an unwritable output directory fails before any work), then runs `work`; when `work`
// throws, a directory this call created is removed again if it is still empty, so a failed command leaves
// no empty run directory behind.
template <typename Work>
void with_output_directory(const std::string& dir, Work&& work) {
  const bool created = !std::filesystem::exists(dir);
  make_directories(dir);
  try {
    work();
  } catch (...) {
    std::error_code ignored;
    if (created) std::filesystem::remove(dir, ignored);  // fails, harmlessly, when files were written
    throw;
  }
}

}  // namespace embgeo

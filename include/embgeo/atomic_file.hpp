#pragma once
// Output files are written to a temporary name beside the target and renamed into place, so a failure
// never leaves a half-written file under the final name.
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

}  // namespace embgeo

// Writing output files through a temporary name and a rename, so a failure never leaves a half-written file;
// and creating output directories.
#include "util/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "embgeo/error.hpp"

namespace embgeo {

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  try {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) fail("cannot write '", path, "': ", std::strerror(errno));
    write(out);
    out.flush();
    if (!out) fail("cannot write '", path, "': ", std::strerror(errno));
    out.close();
    if (std::rename(temporary.c_str(), path.c_str()) != 0) fail("cannot write '", path, "': ", std::strerror(errno));
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
}

void write_file_atomically(const std::string& path, const std::string& content) {
  write_file_atomically(path, [&](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); });
}

void make_directories(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) fail("cannot create directory '", path, "': ", error.message());
  if (!std::filesystem::is_directory(path)) fail("'", path, "' exists and is not a directory");
}

}  // namespace embgeo

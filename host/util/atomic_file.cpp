// Writing output files through a temporary name and a rename, so a failure never leaves a half-written file;
// and creating output directories.
#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "embgeo/error.hpp"

namespace embgeo {
namespace {

// Flushes a file's (or a directory's) contents to the disk, so a rename that follows cannot outlive the data
// after a power loss. Directories that cannot be opened (some file systems) are passed over.
void sync_to_disk(const std::string& path, bool is_directory) {
  const int fd = ::open(path.c_str(), O_RDONLY | (is_directory ? O_DIRECTORY : 0));
  if (fd < 0) {
    if (is_directory) return;
    fail("cannot write '", path, "': ", std::strerror(errno));
  }
  const int synced = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (synced != 0 && !is_directory) fail("cannot write '", path, "': ", std::strerror(saved));
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  try {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) fail("cannot write '", path, "': ", std::strerror(errno));
    write(out);
    out.flush();
    if (!out) fail("cannot write '", path, "': ", std::strerror(errno));
    out.close();
    sync_to_disk(temporary, false);
    if (std::rename(temporary.c_str(), path.c_str()) != 0) fail("cannot write '", path, "': ", std::strerror(errno));
    const std::string parent = std::filesystem::path(path).parent_path().string();
    sync_to_disk(parent.empty() ? "." : parent, true);
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

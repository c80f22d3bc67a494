#pragma once
// Free host memory, for refusing work that would not fit instead of dying half-way through allocating.
#include <unistd.h>

#include <cstddef>

namespace embgeo {

inline std::size_t available_host_bytes() {
  return static_cast<std::size_t>(sysconf(_SC_AVPHYS_PAGES)) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace embgeo

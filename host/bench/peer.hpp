#pragma once
// The PyTorch peer (tools/peer_pytorch.py) run as a separate process at one shape, for side-by-side ratios.
#include <cstdint>
#include <string>

#include "embgeo/shape.hpp"

namespace embgeo {

struct PeerResult {
  double steps_per_second = 0;
  std::string version;  // torch version
};

// device: "cpu" or "cuda". Error (one line) when python3, torch or the script is missing or fails.
PeerResult run_pytorch_peer(const std::string& device, const ModelShape& shape, std::int64_t steps);

}  // namespace embgeo

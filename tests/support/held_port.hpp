#pragma once
// A loopback port in use, for tests of what is refused when an address is
// taken (check-config, the metrics exporter, flow inputs).

#include <cstdint>

#include "common/unique_fd.hpp"

namespace asncounter::test {

/// A socket bound to 127.0.0.1 at a port of its own (and listening, for TCP):
/// the port is in use until `fd` is closed.
struct HeldPort {
  UniqueFd fd;
  std::uint16_t port = 0;
};

/// Holds a loopback port of `type` (SOCK_STREAM or SOCK_DGRAM); an empty
/// `fd` when none could be had.
HeldPort hold_loopback_port(int type);

}  // namespace asncounter::test

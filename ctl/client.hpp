#pragma once
// A blocking JSON-RPC client over the daemon's Unix socket, with a timeout.
// Plain POSIX sockets: asncounterctl links only asncounter_common.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/rpc.hpp"

namespace asncounter::ctl {

class Client {
 public:
  /// Connects to `socket_path`; the error names the socket (exit code 3).
  static Result<Client> connect(const std::string& socket_path, std::chrono::milliseconds timeout);
  ~Client();
  Client(Client&& other) noexcept;
  Client& operator=(Client&& other) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends one request and waits for its answer line. An error here means
  /// the exchange itself failed (closed, timed out, not JSON-RPC): exit code 3.
  Result<rpc::Response> call(rpc::MethodId method, const rpc::Params& params);
  /// Sends a raw line (newline added when missing) and returns the raw answer line.
  Result<std::string> exchange(std::string_view line);

 private:
  Client(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Result<std::string> read_line();

  int fd_ = -1;
  std::string path_;
  std::uint64_t next_id_ = 1;
  std::string buffer_;  // bytes received past the last answer line
};

}  // namespace asncounter::ctl

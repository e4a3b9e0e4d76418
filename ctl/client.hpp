#pragma once
// A blocking JSON-RPC client over the daemon's Unix socket, with a timeout
// that bounds each whole call (a server trickling bytes cannot hold it).
// Plain POSIX sockets: asncounterctl links only asncounter_common.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.hpp"
#include "common/rpc.hpp"
#include "common/unique_fd.hpp"

namespace asncounter::ctl {

class Client {
 public:
  /// Connects to `socket_path`; the error names the socket (exit code 3).
  static Result<Client> connect(const std::string& socket_path, std::chrono::milliseconds timeout);
  ~Client() = default;
  Client(Client&& other) noexcept = default;
  Client& operator=(Client&& other) noexcept = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends one request and waits for its answer line, all within the timeout.
  /// An error here means the exchange itself failed (closed, timed out, not
  /// JSON-RPC): exit code 3.
  Result<rpc::Response> call(rpc::MethodId method, const rpc::Params& params);
  /// Sends a raw line (newline added when missing) and returns the raw answer line.
  Result<std::string> exchange(std::string_view line);
  /// Bytes examined looking for line ends so far: each received byte once.
  std::uint64_t scanned_bytes() const { return scanned_bytes_; }

 private:
  using Clock = std::chrono::steady_clock;
  Client(UniqueFd fd, std::string path, std::chrono::milliseconds timeout)
      : fd_(std::move(fd)), path_(std::move(path)), timeout_(timeout) {}
  Result<std::string> read_line(Clock::time_point deadline);

  UniqueFd fd_;
  std::string path_;
  std::chrono::milliseconds timeout_;
  std::uint64_t next_id_ = 1;
  std::string buffer_;            // bytes received past the last answer line
  std::size_t unscanned_at_ = 0;  // buffer_ before this offset holds no newline
  std::uint64_t scanned_bytes_ = 0;
};

}  // namespace asncounter::ctl

#pragma once
// The control socket: a Unix stream socket in a directory others cannot
// enter, mode 0660 with a configurable group, a cap on clients (some slots
// kept for admins, a cap per user) and a per-request deadline. Runs on the
// daemon's io_context; heavy reads run on one worker thread of its own.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "daemon/rpc/dispatch.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace asncounter::rpc {

/// Limits a reload may change.
struct ServerLimits {
  unsigned max_clients = 64;
  std::chrono::seconds client_timeout{10};
  unsigned admin_slots = 4;           ///< of max_clients, kept for admin peers
  unsigned max_clients_per_uid = 16;  ///< connections of one non-admin user
};

/// Creates the socket's directory (0750, group `group`) when missing, and
/// refuses one that others can enter or that someone else owns.
Result<bool> prepare_socket_dir(const std::string& socket_path, std::optional<gid_t> group);

/// Checks that `path` is the socket just bound (the daemon's user, mode 0660,
/// not a link) and gives it group `gid` (named `group` in errors) when set.
Result<bool> give_socket_group(const std::string& path, std::optional<gid_t> gid, const std::string& group);

class Server {
 public:
  /// Binds and listens on `path` (a stale socket file is replaced; a live
  /// one, where another daemon answers, is an error). Accepting starts with start().
  static Result<std::unique_ptr<Server>> open(boost::asio::io_context& io, const std::string& path,
                                              const std::string& socket_group, Dispatcher& dispatcher,
                                              ServerLimits limits);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();
  /// Stops accepting and closes every connection.
  void stop();
  void set_limits(ServerLimits limits);
  /// Runs `work` on the worker that makes heavy answers (a SIGHUP reload's
  /// reading), after those queued; dropped when the server stops first.
  void post_work(std::function<void()> work);
  /// Connected clients now.
  unsigned clients() const;
  /// Connections refused because max_clients (or a user's cap) were connected.
  std::uint64_t refused() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace asncounter::rpc

#pragma once
// Who is connected to the HTTP server: connections per address (bounded in
// total and per address) and each address's request budget (a token bucket).
// Thread-safe: sessions end on whichever thread drops them last.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "daemon/web/web_limits.hpp"

namespace asncounter::web {

class ClientTable {
 public:
  explicit ClientTable(const WebLimits& limits) : limits_(limits) {}

  /// Takes a connection slot for `address`; false when the total or the
  /// address's share is full (the connection is then closed at once).
  bool enter(const std::string& address);
  /// Gives the slot back.
  void leave(const std::string& address);
  /// Spends one request of `address`'s budget; false when it has none left.
  bool spend(const std::string& address, std::chrono::steady_clock::time_point now);
  std::size_t connections() const;
  std::size_t refused() const;

 private:
  struct Client {
    std::size_t connections = 0;
    double tokens = -1;  ///< < 0: full (never spent)
    std::chrono::steady_clock::time_point refilled{};
  };
  void forget_idle(std::chrono::steady_clock::time_point now);

  WebLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Client> clients_;
  std::size_t total_ = 0;
  std::size_t refused_ = 0;
};

}  // namespace asncounter::web

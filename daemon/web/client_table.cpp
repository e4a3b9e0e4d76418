#include "daemon/web/client_table.hpp"

#include <algorithm>

namespace asncounter::web {

namespace {
// Addresses remembered for their request budget once their connections
// ended; past this many, those whose budget is full again are forgotten.
constexpr std::size_t kRememberedAddresses = 4096;
}  // namespace

bool ClientTable::enter(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto& c = clients_[address];
  if (total_ >= limits_.max_clients || c.connections >= limits_.max_clients_per_address) {
    ++refused_;
    return false;
  }
  ++c.connections;
  ++total_;
  return true;
}

void ClientTable::leave(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(address);
  if (it == clients_.end() || it->second.connections == 0) return;
  --it->second.connections;
  --total_;
  if (clients_.size() > kRememberedAddresses) forget_idle(std::chrono::steady_clock::now());
}

bool ClientTable::spend(const std::string& address, std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& c = clients_[address];
  if (c.tokens < 0) {
    c.tokens = limits_.request_burst;
  } else {
    double elapsed = std::chrono::duration<double>(now - c.refilled).count();
    c.tokens = std::min(limits_.request_burst, c.tokens + elapsed * limits_.requests_per_second);
  }
  c.refilled = now;
  if (c.tokens < 1) return false;
  c.tokens -= 1;
  return true;
}

// An address with no connection whose bucket has refilled is as good as new.
void ClientTable::forget_idle(std::chrono::steady_clock::time_point now) {
  std::erase_if(clients_, [&](const auto& entry) {
    const Client& c = entry.second;
    if (c.connections != 0) return false;
    double elapsed = std::chrono::duration<double>(now - c.refilled).count();
    return c.tokens < 0 || c.tokens + elapsed * limits_.requests_per_second >= limits_.request_burst;
  });
}

std::size_t ClientTable::connections() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::size_t ClientTable::refused() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

}  // namespace asncounter::web

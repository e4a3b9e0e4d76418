#pragma once
// Who is on the other end of a control connection (SO_PEERCRED), and whether
// that peer may call admin methods.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "common/result.hpp"

namespace asncounter::rpc {

/// The peer of a Unix stream socket as the kernel saw it at connect time.
struct PeerCredentials {
  pid_t pid{};
  uid_t uid{};
  gid_t gid{};
};

/// Reads SO_PEERCRED of a connected Unix socket; nullopt if the kernel will not say.
std::optional<PeerCredentials> peer_credentials(int fd) noexcept;

/// The admin rule: root, the daemon's own user, or a member of one group.
class AdminPolicy {
 public:
  /// `admin_group` may be empty (then only root and the daemon's user are admin).
  static Result<AdminPolicy> make(const std::string& admin_group);
  /// True when `peer` may call admin methods. Answers from the members
  /// resolved by make() (no user or group database lookup on the event loop:
  /// a user added to the group is admin after the next reload).
  bool is_admin(const PeerCredentials& peer) const;
  const std::string& group_name() const { return group_name_; }

 private:
  uid_t own_uid_{};
  std::optional<gid_t> admin_gid_;
  std::set<uid_t> members_;  // users whose primary or supplementary group is admin_gid_
  std::string group_name_;
};

/// Lookups in the user and group databases (NSS) made so far; tests check
/// that none happen per request.
std::uint64_t nss_lookups() noexcept;

/// The gid of group `name`, or an error naming it.
Result<gid_t> group_id(const std::string& name);

}  // namespace asncounter::rpc

#include "daemon/rpc/peer_credentials.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace asncounter::rpc {

std::optional<PeerCredentials> peer_credentials(int fd) noexcept {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) return std::nullopt;
  return PeerCredentials{cred.pid, cred.uid, cred.gid};
}

Result<gid_t> group_id(const std::string& name) {
  std::vector<char> buf(16384);
  group grp{};
  group* found = nullptr;
  int rc = getgrnam_r(name.c_str(), &grp, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) return Error{"unknown group '" + name + "'"};
  return found->gr_gid;
}

Result<AdminPolicy> AdminPolicy::make(const std::string& admin_group) {
  AdminPolicy p;
  p.own_uid_ = geteuid();
  p.group_name_ = admin_group;
  if (!admin_group.empty()) {
    auto gid = group_id(admin_group);
    if (!gid) return Error{"admin_group: " + gid.error()};
    p.admin_gid_ = *gid;
  }
  return p;
}

bool AdminPolicy::is_admin(const PeerCredentials& peer) const {
  if (peer.uid == 0 || peer.uid == own_uid_) return true;
  if (!admin_gid_) return false;
  if (peer.gid == *admin_gid_) return true;
  // Supplementary groups are not in SO_PEERCRED: ask the group database for
  // the user's, as login would have set them.
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(peer.uid, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) return false;
  int n = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  if (getgrouplist(found->pw_name, found->pw_gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<std::size_t>(n));
    if (getgrouplist(found->pw_name, found->pw_gid, groups.data(), &n) < 0) return false;
  }
  groups.resize(static_cast<std::size_t>(n));
  return std::find(groups.begin(), groups.end(), *admin_gid_) != groups.end();
}

}  // namespace asncounter::rpc

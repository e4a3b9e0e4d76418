#include "daemon/rpc/peer_credentials.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <vector>

namespace asncounter::rpc {
namespace {

std::atomic<std::uint64_t> lookups{0};

// The uids of the users named in the group's member list, and of the users
// whose primary group it is (the passwd database, enumerated once: NSS
// lookups can block on a directory server, so they happen at start and
// reload only, never per request).
std::set<uid_t> resolve_members(gid_t gid) {
  std::set<uid_t> uids;
  std::vector<char> buf(65536);
  group grp{};
  group* found = nullptr;
  ++lookups;
  if (getgrgid_r(gid, &grp, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    std::vector<std::string> names;
    for (char** m = found->gr_mem; m != nullptr && *m != nullptr; ++m) names.emplace_back(*m);
    std::vector<char> pwbuf(16384);
    for (const auto& name : names) {
      passwd pw{};
      passwd* user = nullptr;
      ++lookups;
      if (getpwnam_r(name.c_str(), &pw, pwbuf.data(), pwbuf.size(), &user) == 0 && user != nullptr)
        uids.insert(user->pw_uid);
    }
  }
  // Users whose primary group it is: enumerated (start and reload happen on
  // one thread, so the non-reentrant enumeration state is not shared).
  ++lookups;
  setpwent();
  passwd pw{};
  passwd* user = nullptr;
  while (getpwent_r(&pw, buf.data(), buf.size(), &user) == 0 && user != nullptr) {
    if (user->pw_gid == gid) uids.insert(user->pw_uid);
  }
  endpwent();
  return uids;
}

}  // namespace

std::uint64_t nss_lookups() noexcept { return lookups.load(); }

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
  ++lookups;
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
    if (!gid) return Error{"admin-group: " + gid.error()};
    p.admin_gid_ = *gid;
    p.members_ = resolve_members(*gid);
  }
  return p;
}

bool AdminPolicy::is_admin(const PeerCredentials& peer) const {
  if (peer.uid == 0 || peer.uid == own_uid_) return true;
  if (!admin_gid_) return false;
  // The process's own gid (SO_PEERCRED), or a user the group database
  // listed when the policy was made.
  return peer.gid == *admin_gid_ || members_.contains(peer.uid);
}

}  // namespace asncounter::rpc

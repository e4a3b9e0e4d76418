// The directories the daemon writes in (socket, state, cache) are closed to
// others, and the socket gets its group through a descriptor, never a link.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "daemon/rpc/server.hpp"
#include "daemon/sys/private_dir.hpp"
#include "tests/support/test_support.hpp"

using asncounter::prepare_private_dir;
using asncounter::test::TempDir;

TEST_CASE("private dir: created 0750, refused when others can enter it", "[private_dir][adversarial]") {
  TempDir tmp;
  auto fresh = tmp / "state" / "sub";
  REQUIRE(prepare_private_dir(fresh.string(), "state directory"));
  struct stat st {};
  REQUIRE(::stat(fresh.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0750);
  REQUIRE(prepare_private_dir(fresh.string(), "state directory"));  // as it is now: fine

  REQUIRE(::chmod(fresh.c_str(), 0777) == 0);
  auto open = prepare_private_dir(fresh.string(), "state directory");
  REQUIRE_FALSE(open);
  CHECK(open.error().find("state directory " + fresh.string() + " can be entered by others (mode 0777)") !=
        std::string::npos);

  std::ofstream(tmp / "plain") << "x";
  auto plain = prepare_private_dir((tmp / "plain").string(), "cache directory");
  REQUIRE_FALSE(plain);
  CHECK(plain.error().find("not a directory") != std::string::npos);
}

// After bind, a member of the socket directory's group could replace the
// socket by a link to any file before the daemon chmod-ed and chown-ed it by
// path; the group now goes through a descriptor that was checked first.
TEST_CASE("socket group: a link or a stranger's file at the socket path is refused, untouched",
          "[private_dir][adversarial]") {
  TempDir dir;
  TempDir outside;
  auto victim = outside / "victim";
  std::ofstream(victim) << "precious\n";
  REQUIRE(::chmod(victim.c_str(), 0600) == 0);
  const gid_t group = 65534;  // nogroup: any gid other than the file's
  auto sock = (dir / "control.sock").string();
  std::filesystem::create_symlink(victim, sock);
  auto linked = asncounter::rpc::give_socket_group(sock, group, "nogroup");
  REQUIRE_FALSE(linked);
  CHECK(linked.error().find("not the socket") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(victim.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(st.st_gid != group);

  // A plain file of the right mode is no socket either.
  std::filesystem::remove(sock);
  std::ofstream(sock) << "x";
  REQUIRE(::chmod(sock.c_str(), 0660) == 0);
  REQUIRE_FALSE(asncounter::rpc::give_socket_group(sock, group, "nogroup"));

  // The real thing: a socket bound 0660 gets the group.
  std::filesystem::remove(sock);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
  mode_t old_mask = ::umask(0117);
  int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  ::umask(old_mask);
  REQUIRE(bound == 0);
  auto given = asncounter::rpc::give_socket_group(sock, group, "nogroup");
  CHECK(given);
  REQUIRE(::lstat(sock.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 07777) == 0660);
  CHECK(st.st_gid == group);
  ::close(fd);
}

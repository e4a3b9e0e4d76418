#include "tests/support/test_support.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace asncounter::test {

std::optional<std::filesystem::path> shared_data(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(ASNCOUNTER_TEST_DATA) / name;
  std::error_code ec;
  if (std::filesystem::is_regular_file(p, ec)) return p;
  return std::nullopt;
}

std::string missing_data_message(const std::string& name) {
  return "needs " + name + " from the shared sample data folder " + ASNCOUNTER_TEST_DATA +
         " (absent on a fresh clone; set -DASNCOUNTER_TEST_DATA=...)";
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "asncounter-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return {-1, {}};
  std::array<char, 65536> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

int free_tcp_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(a.sin_port);
}

bool have_program(const std::string& program) {
  return run_command("command -v " + program + " >/dev/null 2>&1").status == 0;
}

}  // namespace asncounter::test

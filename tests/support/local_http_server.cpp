#include "tests/support/local_http_server.hpp"

#include <csignal>
#include <stdexcept>
#include <vector>

namespace asncounter::test {
namespace {

std::vector<std::string> server_command(const std::filesystem::path& root, LocalHttpServer::Mode mode) {
  std::vector<std::string> argv{
      "python3", std::string(ASNCOUNTER_SOURCE_DIR) + "/tests/tools/http_test_server.py", root.string()};
  if (mode == LocalHttpServer::Mode::stall) argv.insert(argv.end(), {"--mode", "stall"});
  return argv;
}

}  // namespace

LocalHttpServer::LocalHttpServer(const std::filesystem::path& root, Mode mode)
    : process_(server_command(root, mode)) {
  // The server prints the port it bound before it serves.
  std::string port = process_.read_line();
  if (port.empty()) throw std::runtime_error("the local HTTP test server did not start");
  url_ = "http://127.0.0.1:" + port;
}

void LocalHttpServer::stop() { process_.stop(SIGTERM); }

}  // namespace asncounter::test

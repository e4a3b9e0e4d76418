#pragma once
// tests/tools/http_test_server.py on 127.0.0.1, as a RouteViews mirror for
// the refresh and fetch tests: started on a free port, killed with the object.

#include <filesystem>
#include <string>

#include "tests/support/child_process.hpp"

namespace asncounter::test {

class LocalHttpServer {
 public:
  enum class Mode { serve, stall };
  /// Serves `root` (Mode::stall: accepts connections and never answers).
  explicit LocalHttpServer(const std::filesystem::path& root, Mode mode = Mode::serve);
  /// "http://127.0.0.1:PORT", no trailing slash.
  const std::string& url() const { return url_; }
  /// Stops the server now (a "server that is down" test).
  void stop();

 private:
  ChildProcess process_;
  std::string url_;
};

}  // namespace asncounter::test

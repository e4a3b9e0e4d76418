#pragma once
// A small blocking HTTP/1.1 client for the web tests (one request per
// connection, Connection: close) and a crowd of slow clients that hold
// connections open by sending half a request and dripping the rest.

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace asncounter::test {

struct HttpAnswer {
  int status = 0;                              ///< 0: no answer (refused, cut, timed out)
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
  std::chrono::milliseconds elapsed{};
};

/// GET `target` from 127.0.0.1:`port`, from `from` (a loopback address to
/// bind, e.g. "127.0.0.2"; empty: any), waiting at most `timeout`.
HttpAnswer http_get(int port, const std::string& target,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10),
                    const std::string& from = "");

/// `count` clients on 127.0.0.1:`port`, each from 127.0.0.(2 + i % addresses),
/// each sending half a request, then one more byte every `drip`, and
/// connecting again when the server cuts it off (slowloris). A zero `drip`:
/// the clients send nothing at all (idle). Runs on its own thread until destroyed.
class SlowClients {
 public:
  SlowClients(int port, int count, int addresses, std::chrono::milliseconds drip);
  ~SlowClients();
  SlowClients(const SlowClients&) = delete;
  SlowClients& operator=(const SlowClients&) = delete;
  /// Connections made so far (reconnections included).
  int connections() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace asncounter::test

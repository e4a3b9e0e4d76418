#pragma once
// One control connection: newline-delimited requests answered in order,
// a 64 KiB cap per request line (answered with an error, then the rest of
// that line is skipped so the connection stays usable), and a deadline that
// cuts clients which stall.

#include <array>
#include <chrono>
#include <memory>
#include <string>

#include "daemon/asio.hpp"
#include "daemon/rpc/dispatch.hpp"
#include "daemon/rpc/peer_credentials.hpp"

namespace asncounter::rpc {

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Socket = asio::local::stream_protocol::socket;

  /// `slots` counts live sessions; it is decremented when this one ends.
  Session(Socket socket, Dispatcher& dispatcher, PeerCredentials peer, std::chrono::seconds timeout,
          std::shared_ptr<unsigned> slots);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Starts reading; the session keeps itself alive until the peer leaves,
  /// stalls past the deadline, or close() is called.
  void start();
  /// Closes the connection (daemon stop).
  void close();

 private:
  void read();
  void consume(std::size_t n);
  void take_line(std::string_view chunk);
  void write();
  void arm_deadline();

  Socket socket_;
  asio::steady_timer deadline_;
  Dispatcher& dispatcher_;
  PeerCredentials peer_;
  std::chrono::seconds timeout_;
  std::shared_ptr<unsigned> slots_;
  std::array<char, 16384> buf_{};
  std::string pending_;    // the start of a request line not yet ended by '\n'
  bool skipping_ = false;  // inside an oversized line, already answered
  std::string out_;
};

}  // namespace asncounter::rpc

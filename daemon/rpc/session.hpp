#pragma once
// One control connection: newline-delimited requests answered in order, one
// at a time (the next request is not read until the answer to this one is
// written: a client that does not read its answers stops being read), a
// 64 KiB cap per request line (answered with an error, then the rest of that
// line is skipped so the connection stays usable), and a deadline that cuts
// clients which stall. Heavy reads run on a worker, off the event loop, and
// long answers are written as they are made: the worker prints the next
// piece only once the last one is written (back-pressure: a client that does
// not read holds one piece, and its connection is cut at the deadline).

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "daemon/rpc/dispatch.hpp"
#include "daemon/rpc/peer_credentials.hpp"
#include "daemon/sys/asio.hpp"

namespace asncounter::rpc {

/// The clients connected now, in all and per user (event loop only).
struct ClientSlots {
  unsigned live = 0;
  std::map<uid_t, unsigned> per_uid;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Socket = asio::local::stream_protocol::socket;

  /// `slots` counts live sessions; this one leaves it when it ends. Heavy
  /// reads are posted to `worker`.
  Session(Socket socket, Dispatcher& dispatcher, PeerCredentials peer, std::chrono::seconds timeout,
          std::shared_ptr<ClientSlots> slots, asio::any_io_executor worker);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Starts reading; the session keeps itself alive until the peer leaves,
  /// stalls past the deadline, or close() is called.
  void start();
  /// Closes the connection (daemon stop).
  void close();

 private:
  void next();
  void read();
  void answer(const std::string& line);
  void proceed(Reply reply);
  void step(Reply reply);
  void stream(std::shared_ptr<PiecedAnswer> answer);
  void write(std::string text, std::shared_ptr<PiecedAnswer> rest = nullptr);
  void arm_deadline();

  Socket socket_;
  asio::steady_timer deadline_;
  Dispatcher& dispatcher_;
  PeerCredentials peer_;
  std::chrono::seconds timeout_;
  std::shared_ptr<ClientSlots> slots_;
  asio::any_io_executor worker_;
  std::atomic<bool> closed_{false};  // read by the worker: skip work for a client gone
  std::array<char, 16384> buf_{};
  std::string in_;           // bytes read and not yet answered
  std::size_t scanned_ = 0;  // in_ holds no newline before this
  bool skipping_ = false;    // inside an oversized line, already answered
  std::size_t written_ = 0;  // answer bytes written, for giving memory back at the end
  std::string id_json_;      // the id of the request being answered
  std::string out_;          // the answer (or its piece) being written
};

}  // namespace asncounter::rpc

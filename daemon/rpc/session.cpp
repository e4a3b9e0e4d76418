#include "daemon/rpc/session.hpp"

#include <spdlog/spdlog.h>

#include "common/rpc.hpp"
#include "daemon/log.hpp"

namespace asncounter::rpc {

Session::Session(Socket socket, Dispatcher& dispatcher, PeerCredentials peer, std::chrono::seconds timeout,
                 std::shared_ptr<unsigned> slots)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      dispatcher_(dispatcher),
      peer_(peer),
      timeout_(timeout),
      slots_(std::move(slots)) {
  ++*slots_;
}

Session::~Session() { --*slots_; }

void Session::start() {
  arm_deadline();
  read();
}

void Session::close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
  deadline_.cancel();
}

void Session::read() {
  socket_.async_read_some(asio::buffer(buf_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            if (ec) return self->close();
                            self->consume(n);
                          });
}

void Session::consume(std::size_t n) {
  std::string_view data(buf_.data(), n);
  while (!data.empty()) {
    auto nl = data.find('\n');
    if (nl == std::string_view::npos) {
      if (!skipping_) pending_.append(data);
      break;
    }
    take_line(data.substr(0, nl));
    data.remove_prefix(nl + 1);
  }
  if (!skipping_ && pending_.size() > kMaxRequestBytes) {
    // Answer now rather than at the newline, so a client that never sends
    // one still learns why; the rest of the line is then skipped.
    dispatcher_.count_error();
    out_ +=
        make_error("null", ErrorCode::request_too_large, "request over 64 KiB; skipped to the next newline");
    pending_.clear();
    pending_.shrink_to_fit();
    skipping_ = true;
  }
  if (out_.empty()) return read();
  write();
}

void Session::take_line(std::string_view chunk) {
  if (skipping_) {
    skipping_ = false;  // the end of the oversized line: the next one is fresh
    return;
  }
  std::string_view line = chunk;
  if (!pending_.empty()) {
    pending_.append(chunk);
    line = pending_;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Blank lines (an operator pressing Enter in socat) get no answer.
  if (line.find_first_not_of(" \t") != std::string_view::npos) {
    if (line.size() > kMaxRequestBytes) {
      dispatcher_.count_error();
      out_ += make_error("null", ErrorCode::request_too_large, "request over 64 KiB");
    } else {
      out_ += dispatcher_.dispatch(line, peer_);
    }
  }
  pending_.clear();
}

void Session::write() {
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      if (ec) return self->close();
                      self->out_.clear();
                      self->arm_deadline();
                      self->read();
                    });
}

void Session::arm_deadline() {
  // Re-arming cancels the previous wait; that handler sees operation_aborted.
  deadline_.expires_after(timeout_);
  deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || !self->socket_.is_open()) return;
    log::get("rpc")->info("closing client uid {} pid {}: no complete request within {} s", self->peer_.uid,
                          self->peer_.pid, self->timeout_.count());
    self->close();
  });
}

}  // namespace asncounter::rpc

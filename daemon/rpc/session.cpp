#include "daemon/rpc/session.hpp"

#include <malloc.h>

#include <spdlog/spdlog.h>

#include <utility>

#include "common/rpc.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter::rpc {
namespace {

// A piece is printed in well under a millisecond and sent in a few socket
// writes; the answer's memory per connection is one piece.
constexpr std::size_t kAnswerPieceBytes = 64 * 1024;
/// Answers at least this large give their memory back to the system when the session ends.
constexpr std::size_t kTrimAfterBytes = std::size_t{1} << 20;

}  // namespace

Session::Session(Socket socket, Dispatcher& dispatcher, PeerCredentials peer, std::chrono::seconds timeout,
                 std::shared_ptr<ClientSlots> slots, asio::any_io_executor worker)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      dispatcher_(dispatcher),
      peer_(peer),
      timeout_(timeout),
      slots_(std::move(slots)),
      worker_(std::move(worker)) {
  ++slots_->live;
  ++slots_->per_uid[peer_.uid];
}

Session::~Session() {
  --slots_->live;
  if (auto it = slots_->per_uid.find(peer_.uid); it != slots_->per_uid.end() && --it->second == 0)
    slots_->per_uid.erase(it);
  // A large answer (`prefixes --limit 0`: megabytes of rows and text) is
  // freed, but glibc keeps the pages in the worker's arena: a few slow
  // readers left the daemon ~8 MB larger each. The handlers that hold the
  // last reference capture the session first, so the answer they also hold
  // is gone by now; a trim costs about a millisecond, once per such answer.
  if (written_ >= kTrimAfterBytes) ::malloc_trim(0);
}

void Session::start() {
  arm_deadline();
  next();
}

void Session::close() {
  closed_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  deadline_.cancel();
}

// Answers the next complete request already read, or reads more.
void Session::next() {
  if (closed_) return;
  for (;;) {
    auto nl = in_.find('\n', scanned_);
    if (nl == std::string::npos) {
      if (skipping_) {
        in_.clear();
      } else if (in_.size() > kMaxRequestBytes) {
        // Answer now rather than at the newline, so a client that never
        // sends one still learns why; the rest of the line is then skipped.
        dispatcher_.count_error();
        in_.clear();
        in_.shrink_to_fit();
        scanned_ = 0;
        skipping_ = true;
        return write(make_error("null", ErrorCode::request_too_large,
                                "request over 64 KiB; skipped to the next newline"));
      }
      scanned_ = in_.size();
      return read();
    }
    std::string line = in_.substr(0, nl);
    in_.erase(0, nl + 1);
    scanned_ = 0;
    if (skipping_) {
      skipping_ = false;  // the end of the oversized line: the next one is fresh
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Blank lines (an operator pressing Enter in socat) get no answer.
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (line.size() > kMaxRequestBytes) {
      dispatcher_.count_error();
      return write(make_error("null", ErrorCode::request_too_large, "request over 64 KiB"));
    }
    return answer(line);
  }
}

void Session::read() {
  socket_.async_read_some(asio::buffer(buf_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            if (ec) return self->close();
                            self->in_.append(self->buf_.data(), n);
                            self->next();
                          });
}

void Session::answer(const std::string& line) {
  Prepared prepared = dispatcher_.prepare(line, peer_);
  id_json_ = std::move(prepared.id_json);
  proceed(std::move(prepared.reply));
}

// Takes a reply to its answer: its steps first, each where it must run.
void Session::proceed(Reply reply) {
  // A step on the loop runs even for a client gone: it ends what a step off
  // the loop began (a reload swapping in the db it already installed).
  if (reply.next && (reply.next_on_loop || !closed_)) return step(std::move(reply));
  if (closed_) return;
  if (reply.pieces) return stream(dispatcher_.envelope(id_json_, reply));
  write(dispatcher_.finish(id_json_, reply));
}

void Session::step(Reply reply) {
  // The client waits for its answer, not for its next request: no deadline
  // while it is made (the worker makes one answer at a time).
  deadline_.cancel();
  if (reply.next_on_loop) {
    // Its own event on the loop, even for a client gone (see proceed()).
    asio::post(socket_.get_executor(), [self = shared_from_this(), next = std::move(reply.next)] {
      self->proceed(Dispatcher::run_step(next));
    });
    return;
  }
  auto loop = socket_.get_executor();
  asio::post(worker_, [self = shared_from_this(), loop, next = std::move(reply.next)] {
    // A heavy read for a client gone is skipped.
    Reply made =
        self->closed_ ? Reply::failure(ErrorCode::unavailable, "closed") : Dispatcher::run_step(next);
    // The session goes back to the loop with its reply, so that it always
    // ends there (never on the worker).
    asio::post(loop, [self, made = std::move(made)]() mutable { self->proceed(std::move(made)); });
  });
}

// One piece, printed on the worker, written on the loop; the next is asked
// for once this one is written.
void Session::stream(std::shared_ptr<PiecedAnswer> answer) {
  deadline_.cancel();
  auto loop = socket_.get_executor();
  asio::post(worker_, [self = shared_from_this(), loop, answer = std::move(answer)]() mutable {
    std::string piece;
    bool more = false;
    bool broken = false;
    if (!self->closed_) {
      try {
        more = answer->next(piece, kAnswerPieceBytes);
      } catch (const std::exception& e) {
        log::get("rpc")->error("answer to uid {} pid {} cut: {}", self->peer_.uid, self->peer_.pid, e.what());
        broken = true;
      }
    }
    if (!more) answer.reset();
    asio::post(loop, [self, answer = std::move(answer), piece = std::move(piece), broken]() mutable {
      if (self->closed_) return;
      // Half an answer cannot be taken back: the client sees the connection end.
      if (broken) return self->close();
      self->write(std::move(piece), std::move(answer));
    });
  });
}

void Session::write(std::string text, std::shared_ptr<PiecedAnswer> rest) {
  written_ += text.size();
  out_ = std::move(text);
  arm_deadline();  // a client that does not read its answer is cut too
  asio::async_write(
      socket_, asio::buffer(out_),
      [self = shared_from_this(), rest = std::move(rest)](boost::system::error_code ec, std::size_t) mutable {
        if (ec) return self->close();
        self->out_.clear();
        if (rest) return self->stream(std::move(rest));
        self->out_.shrink_to_fit();
        self->arm_deadline();
        self->next();
      });
}

void Session::arm_deadline() {
  // Re-arming cancels the previous wait; that handler sees operation_aborted.
  deadline_.expires_after(timeout_);
  deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->closed_) return;
    log::get("rpc")->info(
        "closing client uid {} pid {}: no complete request within {} s (or its answer unread)",
        self->peer_.uid, self->peer_.pid, self->timeout_.count());
    self->close();
  });
}

}  // namespace asncounter::rpc

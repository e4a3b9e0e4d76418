#include "daemon/web/web_session.hpp"

#include "daemon/web/web_routes.hpp"

namespace asncounter::web {

namespace beast = boost::beast;

WebSession::~WebSession() { ctx_.clients.leave(address_); }

void WebSession::read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(ctx_.limits.max_header_bytes));
  parser_->body_limit(ctx_.limits.max_body_bytes);
  buffer_.clear();
  // One deadline for the whole request, however it trickles in: a client
  // sending a byte now and then is cut off here (slowloris).
  stream_.expires_after(ctx_.limits.request_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void WebSession::on_read(beast::error_code ec) {
  if (ec == http::error::header_limit || ec == http::error::body_limit ||
      ec == http::error::buffer_overflow) {
    auto r = json_error(http::status::payload_too_large, "request too large");
    r.keep_alive(false);
    return write(std::move(r));
  }
  if (ec) return close();  // the deadline, the peer gone, or a broken request
  stream_.expires_never();
  if (!ctx_.clients.spend(address_, std::chrono::steady_clock::now())) {
    auto r = json_error(http::status::too_many_requests, "too many requests from this address");
    r.set(http::field::retry_after, "1");
    r.keep_alive(false);
    return write(std::move(r));
  }
  const Request& req = parser_->get();
  bool keep = req.keep_alive();
  route(ctx_, req, [self = shared_from_this(), keep](Response answer) {
    answer.keep_alive(keep && answer.keep_alive());
    self->write(std::move(answer));
  });
}

void WebSession::write(Response answer) {
  answer_ = std::make_shared<Response>(std::move(answer));
  stream_.expires_after(ctx_.limits.write_timeout);
  http::async_write(stream_, *answer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    bool again = !ec && self->answer_->keep_alive();
    self->answer_.reset();
    if (again)
      self->read();
    else
      self->close();
  });
}

void WebSession::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.close();
}

}  // namespace asncounter::web

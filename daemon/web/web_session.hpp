#pragma once
// One HTTP connection (internal to daemon/web/): reads a request under a
// deadline and a size limit, spends one of its address's requests, routes
// it, writes the answer under another deadline, and keeps the connection
// for the next request. It holds its address's connection slot until it ends.

#include <boost/beast/core.hpp>

#include <memory>
#include <optional>
#include <string>

#include "daemon/web/http_types.hpp"
#include "daemon/web/web_context.hpp"

namespace asncounter::web {

class WebSession : public std::enable_shared_from_this<WebSession> {
 public:
  /// `address` already holds a slot in ctx.clients, given back at the end.
  WebSession(WebContext& ctx, asio::ip::tcp::socket socket, std::string address)
      : ctx_(ctx), stream_(std::move(socket)), address_(std::move(address)) {}
  ~WebSession();
  WebSession(const WebSession&) = delete;
  WebSession& operator=(const WebSession&) = delete;

  void start() { read(); }

 private:
  void read();
  void on_read(boost::beast::error_code ec);
  void write(Response answer);
  void close();

  WebContext& ctx_;
  boost::beast::tcp_stream stream_;
  std::string address_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::shared_ptr<Response> answer_;  // the one being written
};

}  // namespace asncounter::web

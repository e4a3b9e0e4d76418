#include "daemon/web/web_server.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <exception>
#include <thread>

#include "daemon/sys/log.hpp"
#include "daemon/web/web_context.hpp"
#include "daemon/web/web_session.hpp"

namespace asncounter::web {

namespace {

using asio::ip::tcp;

// "127.0.0.1:9580" or "[::1]:9580"; options_table.cpp checked the form.
Result<tcp::endpoint> endpoint_of(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Error{"cannot serve HTTP on " + listen + ": not ADDR:PORT"};
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto port_text = std::string_view(listen).substr(colon + 1);
  auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec || err != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return Error{"cannot serve HTTP on " + listen + ": not an address and port"};
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

}  // namespace

struct WebServer::Impl {
  Impl(WebBackend backend, const WebLimits& limits) : ctx(std::move(backend), limits) {}
  ~Impl() {
    ctx.io.stop();
    if (thread.joinable()) thread.join();
    // A snapshot or an answer under way finishes (each waits on the daemon
    // for a bounded time); what it posts back is dropped with the io_context.
    ctx.snapshots.join();
    ctx.workers.join();
  }

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) admit(std::move(socket));
      accept();
    });
  }

  // Over a bound, the connection is closed at once: it costs nothing more.
  void admit(tcp::socket socket) {
    boost::system::error_code ec;
    auto peer = socket.remote_endpoint(ec);
    if (ec) return;
    std::string address = peer.address().to_string();
    if (!ctx.clients.enter(address)) return;
    std::make_shared<WebSession>(ctx, std::move(socket), std::move(address))->start();
  }

  WebContext ctx;
  tcp::acceptor acceptor{ctx.io};
  std::thread thread;
};

Result<std::unique_ptr<WebServer>> WebServer::start(const std::string& listen, WebBackend backend,
                                                    const WebLimits& limits) {
  auto endpoint = endpoint_of(listen);
  if (!endpoint) return Error{endpoint.error()};
  auto impl = std::make_unique<Impl>(std::move(backend), limits);
  boost::system::error_code ec;
  impl->acceptor.open(endpoint->protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(*endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{"cannot serve HTTP on " + listen + ": " + ec.message()};
  impl->accept();
  impl->thread = std::thread([ctx = &impl->ctx] {
    try {
      ctx->io.run();
    } catch (const std::exception& e) {
      log::get("daemon")->error("HTTP server stopped: {}", e.what());
    }
  });
  return std::unique_ptr<WebServer>(new WebServer(std::move(impl)));
}

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebServer::~WebServer() = default;

int WebServer::port() const { return impl_->acceptor.local_endpoint().port(); }
std::size_t WebServer::connections() const { return impl_->ctx.clients.connections(); }
std::size_t WebServer::refused() const { return impl_->ctx.clients.refused(); }

}  // namespace asncounter::web

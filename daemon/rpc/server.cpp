#include "daemon/rpc/server.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "daemon/rpc/session.hpp"
#include "daemon/sys/asio.hpp"
#include "daemon/sys/log.hpp"
#include "daemon/sys/private_dir.hpp"

namespace asncounter::rpc {

namespace fs = std::filesystem;
using stream = asio::local::stream_protocol;

struct Server::Impl {
  Impl(asio::io_context& io, Dispatcher& d, ServerLimits l, std::string p)
      : acceptor(io), retry(io), dispatcher(d), limits(l), path(std::move(p)) {}
  // The worker first: its last answer in progress is waited for, the queued
  // ones dropped, before anything it uses goes.
  ~Impl() {
    worker.stop();
    worker.join();
  }

  void accept();
  void admit(stream::socket socket, const PeerCredentials& peer);
  void refuse(stream::socket socket, const std::string& why);

  stream::acceptor acceptor;
  asio::steady_timer retry;  // after a failed accept (out of descriptors), breathe first
  Dispatcher& dispatcher;
  ServerLimits limits;
  std::string path;
  std::shared_ptr<ClientSlots> slots = std::make_shared<ClientSlots>();
  std::vector<std::weak_ptr<Session>> sessions;
  std::uint64_t refused = 0;
  // One thread: heavy answers are built one at a time, so at most one is
  // being built while each connection holds at most the one being written.
  asio::thread_pool worker{1};
};

namespace {

// A socket file left by a daemon that died is replaced; one that still
// answers belongs to a running daemon and is left alone.
Result<bool> clear_stale_socket(asio::io_context& io, const std::string& path) {
  std::error_code ec;
  auto st = fs::symlink_status(path, ec);
  if (ec || !fs::exists(st)) return true;
  if (!fs::is_socket(st)) return Error{"control socket path " + path + " exists and is not a socket"};
  stream::socket probe(io);
  boost::system::error_code connect_error;
  probe.connect(stream::endpoint(path), connect_error);
  if (!connect_error) return Error{"another daemon is listening on " + path};
  fs::remove(path, ec);
  if (ec) return Error{"cannot remove stale socket " + path + ": " + ec.message()};
  return true;
}

}  // namespace

Result<bool> prepare_socket_dir(const std::string& socket_path, std::optional<gid_t> group) {
  fs::path dir = fs::path(socket_path).parent_path();
  if (dir.empty()) dir = ".";
  if (auto ok = prepare_private_dir(dir.string(), "socket directory", group); !ok) return Error{ok.error()};
  return true;
}

// Through a descriptor opened without following links, once it is known to
// be this daemon's socket: a link or another file put in its place is refused.
Result<bool> give_socket_group(const std::string& path, std::optional<gid_t> gid, const std::string& group) {
  int fd = ::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open " + path + ": " + std::strerror(errno)};
  struct stat st {};
  bool ours =
      ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 07777) == 0660;
  bool grouped = ours && (!gid || ::fchownat(fd, "", static_cast<uid_t>(-1), *gid, AT_EMPTY_PATH) == 0);
  ::close(fd);
  if (!ours) return Error{path + " is not the socket this daemon bound (its user, mode 0660)"};
  if (!grouped) return Error{"cannot give " + path + " group " + group};
  return true;
}

Result<std::unique_ptr<Server>> Server::open(asio::io_context& io, const std::string& path,
                                             const std::string& socket_group, Dispatcher& dispatcher,
                                             ServerLimits limits) {
  std::optional<gid_t> gid;
  if (!socket_group.empty()) {
    auto g = group_id(socket_group);
    if (!g) return Error{"socket-group: " + g.error()};
    gid = *g;
  }
  if (auto dir = prepare_socket_dir(path, gid); !dir) return Error{dir.error()};
  if (auto stale = clear_stale_socket(io, path); !stale) return Error{stale.error()};
  auto impl = std::make_unique<Impl>(io, dispatcher, limits, path);
  boost::system::error_code ec;
  impl->acceptor.open(stream(), ec);
  if (!ec) {
    // bind() creates the socket 0660 under this umask: no chmod by path
    // afterwards, which a member of the socket directory's group could point
    // at another file. (Start-up is single-threaded here: nothing else
    // creates files while the umask is narrowed.)
    mode_t old_mask = ::umask(0117);
    impl->acceptor.bind(stream::endpoint(path), ec);
    ::umask(old_mask);
  }
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{"cannot listen on " + path + ": " + ec.message()};
  if (auto owned = give_socket_group(path, gid, socket_group); !owned) return Error{owned.error()};
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  stop();
  std::error_code ec;
  fs::remove(impl_->path, ec);
}

void Server::start() { impl_->accept(); }

void Server::stop() {
  impl_->worker.stop();  // answers not started yet are dropped
  boost::system::error_code ignored;
  impl_->retry.cancel();
  impl_->acceptor.close(ignored);
  for (auto& weak : impl_->sessions) {
    if (auto s = weak.lock()) s->close();
  }
  impl_->sessions.clear();
}

void Server::set_limits(ServerLimits limits) { impl_->limits = limits; }
void Server::post_work(std::function<void()> work) { asio::post(impl_->worker, std::move(work)); }
unsigned Server::clients() const { return impl_->slots->live; }
std::uint64_t Server::refused() const { return impl_->refused; }

void Server::Impl::accept() {
  acceptor.async_accept([this](boost::system::error_code ec, stream::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      std::erase_if(sessions, [](const std::weak_ptr<Session>& w) { return w.expired(); });
      auto peer = peer_credentials(socket.native_handle());
      if (!peer) {
        log::get("rpc")->warn("dropping a client whose credentials the kernel would not give");
      } else {
        admit(std::move(socket), *peer);
      }
    } else {
      log::get("rpc")->warn("accept failed: {}", ec.message());
      retry.expires_after(std::chrono::milliseconds(100));
      retry.async_wait([this](boost::system::error_code wait_error) {
        if (!wait_error) accept();
      });
      return;
    }
    accept();
  });
}

// Admins may use every slot; others leave admin_slots free and hold at most
// max_clients_per_uid each, so idle read-only clients never lock root out.
// (is_admin answers from the policy's resolved members: no lookup here.)
void Server::Impl::admit(stream::socket socket, const PeerCredentials& peer) {
  bool admin = dispatcher.is_admin(peer);
  unsigned others = limits.max_clients > limits.admin_slots ? limits.max_clients - limits.admin_slots : 0;
  auto mine = slots->per_uid.find(peer.uid);
  unsigned held = mine == slots->per_uid.end() ? 0 : mine->second;
  if (slots->live >= limits.max_clients || (!admin && slots->live >= others)) {
    return refuse(std::move(socket), "too many clients (max_clients " + std::to_string(limits.max_clients) +
                                         ", admin_slots " + std::to_string(limits.admin_slots) + ")");
  }
  if (!admin && held >= limits.max_clients_per_uid) {
    return refuse(std::move(socket), "too many clients of uid " + std::to_string(peer.uid) +
                                         " (max_clients_per_uid " +
                                         std::to_string(limits.max_clients_per_uid) + ")");
  }
  auto s = std::make_shared<Session>(std::move(socket), dispatcher, peer, limits.client_timeout, slots,
                                     worker.get_executor());
  sessions.push_back(s);
  s->start();
}

void Server::Impl::refuse(stream::socket socket, const std::string& why) {
  ++refused;
  dispatcher.count_error();
  auto sock = std::make_shared<stream::socket>(std::move(socket));
  auto line = std::make_shared<std::string>(make_error("null", ErrorCode::unavailable, why));
  asio::async_write(*sock, asio::buffer(*line), [sock, line](boost::system::error_code, std::size_t) {
    boost::system::error_code ignored;
    sock->shutdown(stream::socket::shutdown_both, ignored);
    sock->close(ignored);
  });
}

}  // namespace asncounter::rpc

#include "daemon/config/config_check.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <string_view>

#include "common/parse_number.hpp"
#include "common/table/as_names.hpp"
#include "common/table/byte_stream.hpp"
#include "common/table/table_file.hpp"
#include "common/unique_fd.hpp"
#include "daemon/config/mitigate_options.hpp"
#include "daemon/config/table_choice.hpp"
#include "daemon/input/capture/pcap_handle.hpp"
#include "daemon/input/input.hpp"
#include "daemon/mitigate/nft_backend.hpp"
#include "daemon/rpc/peer_credentials.hpp"
#include "daemon/sys/private_dir.hpp"

namespace asncounter {
namespace {

namespace fs = std::filesystem;
using Problems = std::vector<std::string>;

Problems check_db(const Options& o) {
  if (o.db.empty()) return {};
  auto why = verify_table_file(o.db, table_limits(o));
  if (why.empty() && o.check_tables) {
    // Asked for: everything a start does with it (limits, plausibility).
    auto loaded = load_table(o.db, nullptr, table_limits(o));
    if (!loaded) why = loaded.error();
  }
  return why.empty() ? Problems{} : Problems{why};
}

// Read through and identified: a JSON object from its first to its last
// byte (parsing 77k names takes most of a second), or an autnums.html page
// parsed as the daemon would. --check-tables loads either whole.
Problems check_asnames(const Options& o) {
  if (o.asnames.empty()) return {};
  auto opened = ByteStream::open(o.asnames, nullptr, std::uint64_t{256} << 20);
  if (!opened) return {opened.error()};
  std::string text;
  std::array<char, 65536> buf{};
  for (std::size_t n; (n = (*opened)->read(buf.data(), buf.size())) > 0;) text.append(buf.data(), n);
  if (!(*opened)->error().empty()) return {(*opened)->error()};
  auto first = text.find_first_not_of(" \t\r\n");
  auto last = text.find_last_not_of(" \t\r\n");
  const bool json = first != std::string::npos && text[first] == '{';
  if (json && !o.check_tables) {
    if (text[last] != '}') return {o.asnames + ": truncated (the JSON object does not end)"};
    return {};
  }
  auto names = json ? AsNames::parse_json(text) : AsNames::parse_autnums_html(text);
  if (!names) return {o.asnames + ": " + names.error()};
  return {};
}

Problems check_filter(const Options& o) {
  if (o.filter.empty()) return {};
  std::vector<int> dlts;
  for (const std::string& spec : o.inputs)
    if (int dlt = filter_link_type(spec); dlt >= 0) dlts.push_back(dlt);
  if (dlts.empty()) dlts.push_back(DLT_EN10MB);
  for (int dlt : dlts) {
    auto compiled = compile_filter_for(dlt, o.filter);
    if (!compiled) return {compiled.error()};
  }
  return {};
}

Problems check_group(const std::string& name) {
  if (name.empty()) return {};
  auto gid = rpc::group_id(name);
  if (!gid) return {gid.error()};
  return {};
}

Problems check_socket_group(const Options& o) { return check_group(o.socket_group); }
Problems check_admin_group(const Options& o) { return check_group(o.admin_group); }

// A directory the daemon creates (create_directories) needs an existing
// ancestor it can write; one that exists must pass the start's own check
// (prepare_private_dir: closed to others, owned by root or the user), so a
// check never says OK to a directory the start refuses.
std::string check_dir(const std::string& dir, std::string_view what, bool private_dir = true) {
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec);
  if (fs::exists(p, ec)) {
    if (!fs::is_directory(p, ec)) return std::string(what) + " " + dir + " is not a directory";
    if (!private_dir) return "";
    auto ok = check_private_dir(dir, std::string(what));
    return ok ? "" : ok.error();
  }
  fs::path up = p.parent_path();
  while (!up.empty() && !fs::exists(up, ec) && up != up.parent_path()) up = up.parent_path();
  if (!fs::is_directory(up, ec))
    return std::string(what) + " " + dir + ": " + up.string() + " is not a directory";
  if (::access(up.c_str(), W_OK | X_OK) != 0)
    return std::string(what) + " " + dir + " cannot be created: " + up.string() + ": " + std::strerror(errno);
  return "";
}

Problems check_inputs(const Options& o) {
  const InputCheckContext context{o.check_running};
  Problems out;
  for (const std::string& spec : o.inputs)
    for (std::string& why : check_input(spec, context)) out.push_back(std::move(why));
  return out;
}

// Bound and closed at once: a port in use, or one below 1024 without the
// capability, shows now rather than at start.
Problems check_metrics_listen(const Options& o) {
  if (o.metrics_listen.empty()) return {};
  std::string_view v = o.metrics_listen;
  auto colon = v.rfind(':');
  std::string host(v.substr(0, colon));
  auto port = parse_unsigned<std::uint16_t>(v.substr(colon + 1)).value_or(0);
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (host.size() >= 2 && host.front() == '[') {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a6->sin6_addr) != 1) return {};
    len = sizeof *a6;
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(port);
    if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1) return {};
    len = sizeof *a4;
  }
  UniqueFd fd(::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return {std::string("cannot make a socket: ") + std::strerror(errno)};
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0 &&
      !(o.check_running && errno == EADDRINUSE))
    return {"cannot listen on " + o.metrics_listen + ": " + std::strerror(errno)};
  return {};
}

Problems check_state_dir(const Options& o) {
  auto why = check_dir(o.state_dir, "state directory");
  return why.empty() ? Problems{} : Problems{why};
}

// The daemon refuses an open cache directory only where it downloads into
// it (downloads_tables); with --db alone it only keeps table caches there,
// which it checks one by one.
Problems check_cache_dir(const Options& o) {
  auto why = check_dir(o.cache_dir, "cache directory", downloads_tables(o));
  return why.empty() ? Problems{} : Problems{why};
}

Problems check_socket_dir(const Options& o) {
  fs::path dir = fs::path(o.socket).parent_path();
  auto why = check_dir(dir.empty() ? "." : dir.string(), "socket directory");
  return why.empty() ? Problems{} : Problems{why};
}

// enforce needs nf_tables and CAP_NET_ADMIN; dry-run needs neither.
Problems check_mitigation_kernel(const Options& o) {
  auto mode = mitigate::effective_mode(o);
  if (!mode || *mode != mitigate::Mode::enforce) return {};
  auto hooks = mitigate::parse_hooks(o.mitigate_hooks);
  if (!hooks) return {};
  auto nft = mitigate::NftBackend::open(o.mitigate_table, *hooks);
  if (!nft) return {nft.error()};
  return {};
}

/// One check: the key its problems are reported under.
struct Check {
  const char* key;
  Problems (*run)(const Options&);
};

constexpr Check kChecks[] = {
    {"db", check_db},
    {"asnames", check_asnames},
    {"input", check_inputs},
    {"filter", check_filter},
    {"socket", check_socket_dir},
    {"socket-group", check_socket_group},
    {"admin-group", check_admin_group},
    {"metrics-listen", check_metrics_listen},
    {"state-dir", check_state_dir},
    {"cache-dir", check_cache_dir},
    {"mitigate-mode", check_mitigation_kernel},
};

}  // namespace

std::vector<ConfigProblem> check_startup(const Options& o) {
  std::vector<ConfigProblem> out;
  for (const Check& c : kChecks)
    for (std::string& why : c.run(o)) out.push_back({c.key, std::move(why)});
  return out;
}

namespace {

// Not a problem, but who may send counts is worth saying: without
// flow-exporters a flow input takes this host's exporters only.
void note_flow_exporters(const Options& o, std::ostream& out) {
  for (const std::string& spec : o.inputs) {
    if (!input_traits(spec).flows) continue;
    if (o.flow_exporters.empty())
      out << "asncounterd: input " << spec
          << ": flow-exporters is empty: flows are taken from this host only (127.0.0.0/8, ::1); "
             "name the routers (or 0.0.0.0/0,::/0 for anyone)\n";
    else
      out << "asncounterd: input " << spec << ": flows are taken from " << o.flow_exporters << " only\n";
  }
}

}  // namespace

int run_config_check(const Options& o, std::ostream& out, std::ostream& err) {
  const std::string what = o.config.empty() ? std::string("command line") : o.config;
  note_flow_exporters(o, out);
  auto problems = check_startup(o);
  if (problems.empty()) {
    out << what << ": OK\n";
    return 0;
  }
  for (const ConfigProblem& p : problems) err << "asncounterd: " << p.key << ": " << p.why << "\n";
  err << "asncounterd: " << what << ": " << problems.size()
      << (problems.size() == 1 ? " problem" : " problems") << "\n";
  return 2;
}

}  // namespace asncounter

#include "tests/integration/daemon_fixture.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "common/table/ipasn.hpp"
#include "ctl/client.hpp"
#include "tests/support/files.hpp"
#include "tests/support/many_prefixes.hpp"
#include "tests/support/polling.hpp"

namespace asncounter::test {
namespace {

namespace fs = std::filesystem;

void write_table(const fs::path& path, const std::vector<std::pair<std::string, std::uint32_t>>& given) {
  std::vector<Route> routes;
  for (const auto& [text, asn] : given) routes.push_back(Route{*parse_prefix(text), asn});
  if (routes.empty())
    for (auto [text, asn] : {std::pair{"192.0.2.0/24", 64496U},
                             {"198.51.100.0/24", 64497U},
                             {"203.0.113.0/25", 64498U},
                             {"203.0.113.128/25", 64498U},
                             {"2001:db8::/32", 64499U},
                             {"2001:db8:1::/48", 64500U}}) {
      routes.push_back(Route{*parse_prefix(text), asn});
    }
  REQUIRE(write_ipasn(path.string(), routes, {"asncounter integration test table"}));
}

}  // namespace

std::string quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

DaemonFixture::DaemonFixture(Setup setup) : setup_(std::move(setup)) {
  write_table(db(), setup_.routes);
  REQUIRE(write_text(
      dir_ / "asnames.json",
      R"({"64496": "DOC-A, ZZ", "64497": "DOC-B, ZZ", "64498": "DOC-C, ZZ", "64499": "DOC-D, ZZ", )"
      R"("64500": "DOC-E, ZZ"})"));
  REQUIRE(
      write_text(config(), (setup_.db_in_config ? "db = " + db().string() + "\n" : "") + setup_.config_text));
  // A copy others may run: the build tree's parents need not be open to nobody.
  fs::copy_file(ASNCOUNTERCTL_BIN, ctl_bin(), fs::copy_options::overwrite_existing);
  chmod(ctl_bin().c_str(), 0755);
  if (setup_.reachable_by_others) chmod(dir_.path().c_str(), 0711);
  start();
}

DaemonFixture::~DaemonFixture() {
  if (pid_ > 0) stop(SIGKILL);
}

std::vector<std::string> DaemonFixture::command() const {
  std::vector<std::string> args = {
      ASNCOUNTERD_BIN,          "--config",    config().string(),         "--socket",
      socket().string(),        "--state-dir", (dir_ / "state").string(), "--cache-dir",
      (dir_ / "cache").string()};
  if (setup_.asnames) {
    args.push_back("--asnames");
    args.push_back((dir_ / "asnames.json").string());
  }
  if (!setup_.stdin_fd) {
    args.push_back("--input");
    args.push_back("fifo:" + fifo().string());
  }
  if (!setup_.db_in_config) {
    args.push_back("--db");
    args.push_back(db().string());
  }
  if (!setup_.socket_group.empty()) {
    args.push_back("--socket-group");
    args.push_back(setup_.socket_group);
  }
  args.insert(args.end(), setup_.extra_args.begin(), setup_.extra_args.end());
  return args;
}

void DaemonFixture::start() {
  std::vector<std::string> args = command();
  args.insert(args.begin(), setup_.wrapper.begin(), setup_.wrapper.end());
  std::string log_path = (dir_ / "daemon.log").string();
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    // After the log's open: with stdin closed, the log must not take fd 0.
    if (setup_.stdin_fd && *setup_.stdin_fd >= 0)
      dup2(*setup_.stdin_fd, 0);
    else if (setup_.stdin_fd)
      close(0);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Ready when the socket answers; the bound only stops a broken daemon
  // from hanging the suite.
  for (int i = 0; i < 1000; ++i) {
    if (auto c = ctl::Client::connect(socket().string(), std::chrono::seconds(5))) {
      if (auto r = c->call(rpc::MethodId::version, {}); r && r->result_json) return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("asncounterd exited at start:\n" << log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("asncounterd did not answer on " << socket() << ":\n" << log());
}

int DaemonFixture::stop(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

CommandResult DaemonFixture::ctl(const std::string& args, const std::string& prefix) const {
  return run_command(prefix + " " + quote(ctl_bin().string()) + " --socket " + quote(socket().string()) +
                     " " + args + " 2>&1");
}

void DaemonFixture::write_fifo(const std::string& text) const {
  int fd = open(fifo().c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    REQUIRE(n > 0);
    done += static_cast<std::size_t>(n);
  }
  close(fd);
}

std::uint64_t DaemonFixture::wait_for_hits(std::uint64_t hits) const {
  std::uint64_t seen = 0;
  for (int i = 0; i < 1500 && seen != hits; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto c = ctl::Client::connect(socket().string(), std::chrono::seconds(10));
    if (!c) continue;
    auto r = c->call(rpc::MethodId::stats, {});
    if (!r || !r->result_json) continue;
    seen = nlohmann::json::parse(*r->result_json)["totals"]["hits"].get<std::uint64_t>();
  }
  return seen;
}

nlohmann::json DaemonFixture::stats() const {
  auto r = ctl("--json stats");
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

std::string DaemonFixture::call(const std::string& request_line) const {
  auto c = ctl::Client::connect(socket().string(), std::chrono::seconds(10));
  REQUIRE(c);
  auto line = c->exchange(request_line);
  REQUIRE(line);
  return *line;
}

void DaemonFixture::count_many_prefixes(int count) const {
  auto addresses = write_many_prefixes(db(), count);
  REQUIRE(addresses);
  REQUIRE(ctl("refresh").status == 0);
  REQUIRE(eventually([&] { return stats()["table"]["prefixes"] == count; }));
  write_fifo(*addresses);
  REQUIRE(wait_for_hits(static_cast<std::uint64_t>(count)) == static_cast<std::uint64_t>(count));
}

std::string DaemonFixture::log() const { return read_text(dir_ / "daemon.log"); }

}  // namespace asncounter::test

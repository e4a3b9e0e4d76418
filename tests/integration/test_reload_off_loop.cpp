// Issue 12, "no request may hold the event loop": a reload naming a new db
// reads it off the loop, one reload at a time, and a stop gives the reading
// up. The new db is slow: a few real lines, then gigabytes of comments packed
// as repeated bzip2 streams. The unfixed daemon read it on its event loop:
// no other client was answered until it was read (minutes), and SIGTERM
// waited for it.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "ctl/client.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/tools/mrt_writer.hpp"

namespace fs = std::filesystem;
using asncounter::test::DaemonFixture;
using namespace std::chrono_literals;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_text(const fs::path& path, const std::string& text) {
  fs::path tmp = path.string() + ".new";
  { std::ofstream(tmp, std::ios::binary | std::ios::trunc) << text; }
  fs::rename(tmp, path);
}

// `table`'s text bzip2-packed, then `streams` bzip2 streams of 16 MiB of
// comment lines each: a small file that takes a long time to read.
void write_slow_table(const fs::path& path, const std::string& table, int streams) {
  auto pack = [&](const std::string& text) {
    fs::path tmp = path.string() + ".part";
    asncounter::test::write_packed(tmp.string(),
                                   {reinterpret_cast<const unsigned char*>(text.data()), text.size()},
                                   asncounter::test::Packing::bzip2);
    std::string packed = read_text(tmp);
    fs::remove(tmp);
    return packed;
  };
  std::string comment = "; " + std::string(60, 'x') + "\n";
  std::string pad;
  for (std::size_t i = 0; i < (16U << 20) / comment.size(); ++i) pad += comment;
  std::string padding = pack(pad);
  std::string slow = pack(table);
  for (int i = 0; i < streams; ++i) slow += padding;
  write_text(path, slow);
}

nlohmann::json stats(const DaemonFixture& d) {
  auto r = d.ctl("--json stats");
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

// Whether the daemon answers `version` within `patience`.
bool answers_version(const DaemonFixture& d, std::chrono::seconds patience) {
  auto client = asncounter::ctl::Client::connect(d.socket().string(), patience);
  return client && client->exchange(R"({"jsonrpc":"2.0","id":1,"method":"version"})").ok();
}

// Starts a reload (by `start`) of a slow new db, then checks that the daemon
// answers meanwhile, refuses a second reload (by `again`), and stops
// promptly with its counts.
template <class Start, class Again>
void reload_slow_db(Start start, Again again) {
  DaemonFixture::Setup setup;
  setup.db_in_config = true;
  setup.config_text = "save-interval = 3600\n";
  DaemonFixture d(setup);
  d.write_fifo("192.0.2.1\n198.51.100.7\n");
  REQUIRE(d.wait_for_hits(2) == 2);
  const fs::path slow = d.dir() / "slow.bz2";
  write_slow_table(slow, read_text(d.db()), 2500);  // 40 GB of comments
  write_text(d.config(), "save-interval = 3600\ndb = " + slow.string() + "\n");

  auto started_reload = start(d);
  // The table is being read: the refresh status says so (the unfixed daemon
  // could not answer this before the whole file was read).
  bool running = false;
  for (int i = 0; i < 100 && !running; ++i) {
    running = stats(d)["refresh"]["last_outcome"] == "running";
    if (!running) std::this_thread::sleep_for(50ms);
  }
  CHECK(running);
  CHECK(answers_version(d, 3s));
  again(d);

  auto began = std::chrono::steady_clock::now();
  auto stopped = std::async(std::launch::async, [&] { return d.stop(SIGTERM); });
  if (stopped.wait_for(30s) != std::future_status::ready) ::kill(d.pid(), SIGKILL);
  CHECK(stopped.get() == 0);
  CHECK(std::chrono::steady_clock::now() - began < 10s);
  started_reload.reset();

  write_text(d.config(), "save-interval = 3600\ndb = " + d.db().string() + "\n");
  d.start();
  CHECK(stats(d)["totals"]["hits"] == 2);  // saved at the stop
  CHECK(d.stop(SIGTERM) == 0);
}

}  // namespace

TEST_CASE("A reload reading a slow new db leaves the daemon answering, one reload at a time",
          "[adversarial][daemon][reload]") {
  reload_slow_db(
      [](const DaemonFixture& d) {
        // The client waits for its answer: that wait is the reload in flight.
        return std::make_shared<std::future<asncounter::test::CommandResult>>(
            std::async(std::launch::async, [&d] { return d.ctl("reload"); }));
      },
      [](const DaemonFixture& d) {
        auto second = d.ctl("reload");
        CHECK(second.status != 0);
        CHECK(second.out.find("a reload is under way") != std::string::npos);
      });
}

TEST_CASE("SIGHUP reads a slow new db off the event loop too", "[adversarial][daemon][reload]") {
  reload_slow_db(
      [](const DaemonFixture& d) {
        ::kill(d.pid(), SIGHUP);
        return std::shared_ptr<int>();
      },
      [](const DaemonFixture& d) {
        ::kill(d.pid(), SIGHUP);
        bool logged = false;
        for (int i = 0; i < 100 && !logged; ++i) {
          logged = d.log().find("SIGHUP ignored: a reload is under way") != std::string::npos;
          if (!logged) std::this_thread::sleep_for(50ms);
        }
        CHECK(logged);
      });
}

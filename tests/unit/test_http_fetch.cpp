#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "daemon/refresh/http_fetch.hpp"
#include "tests/support/local_http_server.hpp"
#include "tests/support/test_support.hpp"

using asncounter::fetch_to_file;
using asncounter::fetch_to_string;
using asncounter::FetchLimits;
using asncounter::test::LocalHttpServer;
using asncounter::test::TempDir;

namespace {

FetchLimits quick_limits() {
  FetchLimits l;
  l.connect_timeout_s = 2;
  l.total_timeout_s = 3;
  l.stall_timeout_s = 2;
  return l;
}

}  // namespace

TEST_CASE("fetch downloads from a real local HTTP server, to memory and to a file", "[refresh][http]") {
  TempDir root;
  std::string body(100000, 'x');
  std::ofstream(root / "file.bin") << body;
  LocalHttpServer server(root.path());
  std::string base = server.url();

  auto text = fetch_to_string(base + "/file.bin", quick_limits());
  REQUIRE(text.ok());
  CHECK(*text == body);

  auto size = fetch_to_file(base + "/file.bin", (root / "copy").string(), quick_limits());
  REQUIRE(size.ok());
  CHECK(*size == body.size());
  CHECK(std::filesystem::file_size(root / "copy") == body.size());
}

TEST_CASE("fetch reports 404, the size cap, a stalled and a downed server, naming the URL",
          "[refresh][http]") {
  TempDir root;
  std::ofstream(root / "big.bin") << std::string(50000, 'y');
  LocalHttpServer server(root.path());
  std::string base = server.url();

  auto missing = fetch_to_string(base + "/nope.bz2", quick_limits());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("HTTP status 404") != std::string::npos);
  CHECK(missing.error().find("/nope.bz2") != std::string::npos);

  FetchLimits small = quick_limits();
  small.max_bytes = 1000;
  auto big = fetch_to_file(base + "/big.bin", (root / "big.copy").string(), small);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().find("cap") != std::string::npos);

  LocalHttpServer staller(root.path(), LocalHttpServer::Mode::stall);
  std::string stall_base = staller.url();
  auto start = std::chrono::steady_clock::now();
  auto stalled = fetch_to_string(stall_base + "/rib.bz2", quick_limits());
  auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(stalled.ok());
  CHECK(stalled.error().find(stall_base) != std::string::npos);
  CHECK(waited < std::chrono::seconds(30));  // a cap on hanging, not a timing assertion

  std::string down_base = base;
  server.stop();
  auto down = fetch_to_string(down_base + "/big.bin", quick_limits());
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().find(down_base) != std::string::npos);
}

TEST_CASE("fetch refuses other protocols", "[refresh][http]") {
  auto r = fetch_to_string("file:///etc/passwd", quick_limits());
  REQUIRE_FALSE(r.ok());
}

// The download file sits in the cache directory: a link someone planted at
// its name must be replaced, not written through (fopen "wb" truncated the
// link's target).
TEST_CASE("fetch to a file never writes through a link planted at its path", "[refresh][http][adversarial]") {
  TempDir root;
  TempDir outside;
  std::string body(20000, 'z');
  std::ofstream(root / "dump.bz2") << body;
  std::ofstream(outside / "victim") << "precious\n";
  LocalHttpServer server(root.path());
  auto part = root / ".dump.bz2.part";
  std::filesystem::create_symlink(outside / "victim", part);

  auto size = fetch_to_file(server.url() + "/dump.bz2", part.string(), quick_limits());
  REQUIRE(size.ok());
  CHECK(*size == body.size());
  std::ifstream victim(outside / "victim");
  std::string kept((std::istreambuf_iterator<char>(victim)), std::istreambuf_iterator<char>());
  CHECK(kept == "precious\n");
  CHECK_FALSE(std::filesystem::is_symlink(part));
  CHECK(std::filesystem::file_size(part) == body.size());
}

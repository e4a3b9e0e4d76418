#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "common/rpc.hpp"
#include "ctl/commands.hpp"
#include "daemon/rpc/dispatch.hpp"
#include "daemon/rpc/handlers.hpp"
#include "daemon/rpc/server.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/support/test_support.hpp"

namespace rpc = asncounter::rpc;
using nlohmann::json;

namespace {

rpc::RequestError error_of(std::string_view line) {
  auto r = rpc::parse_request(line);
  REQUIRE(std::holds_alternative<rpc::RequestError>(r));
  return std::get<rpc::RequestError>(r);
}

rpc::Request request_of(std::string_view line) {
  auto r = rpc::parse_request(line);
  if (auto* e = std::get_if<rpc::RequestError>(&r)) FAIL(e->message);
  return std::get<rpc::Request>(r);
}

json answer(const std::string& line) {
  REQUIRE(!line.empty());
  CHECK(line.back() == '\n');
  return json::parse(line);
}

}  // namespace

TEST_CASE("The method table is complete: handlers, ctl commands, usage", "[rpc]") {
  std::set<std::string_view> names;
  std::set<std::string_view> admin;
  asncounter::CounterStore store(asncounter::LpmTable::empty());
  rpc::HandlerContext ctx;
  ctx.store = &store;
  auto handlers = rpc::make_handlers(ctx);
  std::string usage = asncounter::ctl::usage();
  for (const auto& m : rpc::methods()) {
    INFO(m.name);
    CHECK(names.insert(m.name).second);
    CHECK(!m.help.empty());
    CHECK(handlers.count(std::string(m.name)) == 1);
    CHECK(asncounter::ctl::has_command(m.command));
    CHECK(usage.find("  " + std::string(m.command)) != std::string::npos);
    CHECK(rpc::find_method(m.name) == &m);
    CHECK(rpc::find_command(m.command) == &m);
    if (m.access == rpc::Access::admin) admin.insert(m.name);
  }
  CHECK(names == std::set<std::string_view>{"top", "prefixes", "report", "as_prefixes", "lookup", "stats",
                                            "reset", "refresh", "reload", "version"});
  CHECK(admin == std::set<std::string_view>{"reset", "refresh", "reload"});
  CHECK(handlers.size() == names.size());
  // The dispatcher refuses a table with a hole in it.
  CHECK_NOTHROW(rpc::Dispatcher(handlers, *rpc::AdminPolicy::make("")));
  auto holed = handlers;
  holed.erase("stats");
  CHECK_THROWS_AS(rpc::Dispatcher(holed, *rpc::AdminPolicy::make("")), std::logic_error);
  std::string md = rpc::methods_markdown();
  for (const auto& m : rpc::methods()) CHECK(md.find("`" + std::string(m.name) + "`") != std::string::npos);
}

TEST_CASE("Valid requests parse into typed params and echo their id", "[rpc]") {
  auto r = request_of(R"({"jsonrpc":"2.0","id":7,"method":"top","params":{"limit":10}})");
  CHECK(r.method->name == "top");
  CHECK(r.id_json == "7");
  CHECK(r.params.limit == 10U);
  r = request_of(R"({"jsonrpc":"2.0","id":"abc","method":"prefixes","params":{"limit":0,"asn":4294967295}})");
  CHECK(r.id_json == "\"abc\"");
  CHECK(r.params.limit == 0U);
  CHECK(r.params.asn == 4294967295U);
  r = request_of(R"({"jsonrpc":"2.0","method":"stats"})");
  CHECK(r.id_json == "null");
  r = request_of(R"({"jsonrpc":"2.0","id":1,"method":"stats","params":[]})");
  CHECK(r.method->name == "stats");
  r = request_of(
      R"({"jsonrpc":"2.0","id":1,"method":"lookup","params":{"ips":["192.0.2.1","2001:db8::1"]}})");
  CHECK(r.params.ips == std::vector<std::string>{"192.0.2.1", "2001:db8::1"});
}

TEST_CASE("make_request round-trips through parse_request", "[rpc]") {
  rpc::Params p;
  p.limit = 5;
  p.asn = 64496;
  auto r = request_of(rpc::make_request(42, "prefixes", p));
  CHECK(r.id_json == "42");
  CHECK(r.params == p);
  rpc::Params ips;
  ips.ips = {"198.51.100.7"};
  CHECK(request_of(rpc::make_request(1, "lookup", ips)).params == ips);
  CHECK(request_of(rpc::make_request(2, "reset", {})).params == rpc::Params{});
}

TEST_CASE("Malformed requests get the JSON-RPC error codes", "[rpc]") {
  using E = rpc::ErrorCode;
  CHECK(error_of("{not json").code == E::parse_error);
  CHECK(error_of("").code == E::parse_error);
  CHECK(error_of("[1,2]").code == E::invalid_request);
  CHECK(error_of("42").code == E::invalid_request);
  CHECK(error_of(R"({"id":1,"method":"top"})").code == E::invalid_request);
  CHECK(error_of(R"({"jsonrpc":"1.0","id":1,"method":"top"})").code == E::invalid_request);
  CHECK(error_of(R"({"jsonrpc":"2.0","id":{"a":1},"method":"top"})").code == E::invalid_request);
  auto e = error_of(R"({"jsonrpc":"2.0","id":3,"method":7})");
  CHECK(e.code == E::invalid_request);
  CHECK(e.id_json == "3");
  e = error_of(R"({"jsonrpc":"2.0","id":4,"method":"flush"})");
  CHECK(e.code == E::method_not_found);
  CHECK(e.id_json == "4");
  for (const char* bad : {R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"limit":-1}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"limit":1.5}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"limit":"3"}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"asn":1}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"lmit":1}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"top","params":[10]})",
                          R"({"jsonrpc":"2.0","id":1,"method":"top","params":"x"})",
                          R"({"jsonrpc":"2.0","id":1,"method":"prefixes","params":{"asn":4294967296}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"as_prefixes"})",
                          R"({"jsonrpc":"2.0","id":1,"method":"lookup","params":{"ips":[]}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"lookup","params":{"ips":[1]}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"lookup","params":{"ips":["192.0.2.300"]}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"reset","params":{"limit":1}})"}) {
    INFO(bad);
    auto err = error_of(bad);
    CHECK(err.code == E::invalid_params);
    CHECK(err.id_json == "1");
  }
  std::string big =
      R"({"jsonrpc":"2.0","id":1,"method":"top","pad":")" + std::string(rpc::kMaxRequestBytes, 'x') + "\"}";
  CHECK(error_of(big).code == E::request_too_large);
}

TEST_CASE("Answers are single JSON lines and parse back", "[rpc]") {
  auto ok = answer(rpc::make_result("5", R"({"a":1})"));
  CHECK(ok["jsonrpc"] == "2.0");
  CHECK(ok["id"] == 5);
  CHECK(ok["result"]["a"] == 1);
  std::string err_line = rpc::make_error("\"x\"", rpc::ErrorCode::invalid_params, "bad \"quote\"\nnewline");
  CHECK(err_line.find('\n') == err_line.size() - 1);
  auto err = answer(err_line);
  CHECK(err["error"]["code"] == -32602);
  CHECK(err["error"]["message"] == "bad \"quote\"\nnewline");
  auto parsed = rpc::parse_response(err_line);
  REQUIRE(parsed);
  CHECK(!parsed->result_json);
  CHECK(parsed->error_code == -32602);
  CHECK(parsed->id_json == "\"x\"");
  auto good = rpc::parse_response(rpc::make_result("5", "[1,2]"));
  REQUIRE(good);
  CHECK(good->result_json == "[1,2]");
  CHECK_FALSE(rpc::parse_response("{}"));
  CHECK_FALSE(rpc::parse_response("garbage"));
}

TEST_CASE("Dispatch decides access before calling, and contains handler failures", "[rpc]") {
  int resets = 0;
  rpc::HandlerMap handlers;
  for (const auto& m : rpc::methods()) {
    handlers[std::string(m.name)] = [](const rpc::Params&) { return rpc::Reply::success("{}"); };
  }
  handlers["reset"] = [&](const rpc::Params&) {
    ++resets;
    return rpc::Reply::success(R"({"reset":true})");
  };
  handlers["stats"] = [](const rpc::Params&) -> rpc::Reply { throw std::runtime_error("boom"); };
  rpc::Dispatcher d(handlers, *rpc::AdminPolicy::make(""));
  const rpc::PeerCredentials stranger{1, 65534, 65534};
  const rpc::PeerCredentials root{1, 0, 0};
  auto denied = answer(d.dispatch(R"({"jsonrpc":"2.0","id":1,"method":"reset"})", stranger));
  CHECK(denied["error"]["code"] == -32001);
  CHECK(resets == 0);
  auto allowed = answer(d.dispatch(R"({"jsonrpc":"2.0","id":2,"method":"reset"})", root));
  CHECK(allowed["result"]["reset"] == true);
  CHECK(resets == 1);
  CHECK(answer(d.dispatch(R"({"jsonrpc":"2.0","id":3,"method":"top"})", stranger)).contains("result"));
  auto failed = answer(d.dispatch(R"({"jsonrpc":"2.0","id":4,"method":"stats"})", root));
  CHECK(failed["error"]["code"] == -32603);
  CHECK(failed["id"] == 4);
  CHECK(d.counters().requests == 4);
  CHECK(d.counters().denied == 1);
  CHECK(d.counters().errors == 2);
}

TEST_CASE("Admin policy: root, own user, or the admin group", "[rpc]") {
  auto none = rpc::AdminPolicy::make("");
  REQUIRE(none);
  CHECK(none->is_admin({1, 0, 0}));
  CHECK(none->is_admin({1, geteuid(), 12345}));
  if (geteuid() != 65534) CHECK_FALSE(none->is_admin({1, 65534, 65534}));
  CHECK_FALSE(rpc::AdminPolicy::make("no-such-group-asncounter"));
  auto group = rpc::AdminPolicy::make("nogroup");
  if (!group) ASNCOUNTER_SKIP("no group 'nogroup' on this machine");
  CHECK(group->is_admin({1, 65534, 65534}));  // nobody: primary group nogroup
}

TEST_CASE("The socket directory must be closed to others", "[rpc]") {
  asncounter::test::TempDir tmp;
  auto open_dir = tmp / "open";
  REQUIRE(mkdir(open_dir.c_str(), 0755) == 0);
  REQUIRE(chmod(open_dir.c_str(), 0755) == 0);
  auto refused = rpc::prepare_socket_dir((open_dir / "control.sock").string(), std::nullopt);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("entered by others") != std::string::npos);
  auto fresh = tmp / "run" / "sub";
  REQUIRE(rpc::prepare_socket_dir((fresh / "control.sock").string(), std::nullopt));
  struct stat st {};
  REQUIRE(stat(fresh.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0750);
}

TEST_CASE("docs/rpc.md carries the method table generated from the contract", "[rpc]") {
  std::ifstream in(std::string(ASNCOUNTER_SOURCE_DIR) + "/docs/rpc.md");
  REQUIRE(in);
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Regenerate with rpc::methods_markdown() when this fails.
  CHECK(doc.find(rpc::methods_markdown()) != std::string::npos);
}

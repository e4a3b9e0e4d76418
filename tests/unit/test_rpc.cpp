#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "common/rpc.hpp"
#include "ctl/commands.hpp"
#include "daemon/rpc/dispatch.hpp"
#include "daemon/rpc/handlers.hpp"
#include "daemon/rpc/server.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/support/fake_daemon.hpp"
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

TEST_CASE("The method table is complete: one row per id, ctl commands, usage", "[rpc]") {
  std::set<std::string_view> names;
  std::set<std::string_view> admin;
  std::string usage = asncounter::ctl::usage();
  REQUIRE(rpc::methods().size() == rpc::kMethodCount);
  for (std::size_t i = 0; i < rpc::kMethodCount; ++i) {
    const auto id = static_cast<rpc::MethodId>(i);
    const auto& m = rpc::method(id);
    INFO(m.name);
    CHECK(m.id == id);
    CHECK(&rpc::methods()[i] == &m);
    CHECK(names.insert(m.name).second);
    CHECK(!m.help.empty());
    CHECK((m.required & ~m.params) == 0U);
    CHECK(asncounter::ctl::has_command(m.command));
    CHECK(usage.find("  " + std::string(m.command)) != std::string::npos);
    CHECK(rpc::find_method(m.name) == &m);
    CHECK(rpc::find_command(m.command) == &m);
    if (m.access == rpc::Access::admin) admin.insert(m.name);
  }
  // The wire names and the admin set are the documented contract: spelled out.
  CHECK(names == std::set<std::string_view>{"top", "prefixes", "report", "as_prefixes", "lookup", "stats",
                                            "reset", "refresh", "reload", "version", "asn", "series",
                                            "decisions", "ban", "unban", "whois"});
  CHECK(admin == std::set<std::string_view>{"reset", "refresh", "reload", "ban", "unban"});
  CHECK_FALSE(rpc::find_method("as-prefixes"));
  CHECK_FALSE(rpc::find_command("as_prefixes"));
  std::string md = rpc::methods_markdown();
  for (const auto& m : rpc::methods()) CHECK(md.find("`" + std::string(m.name) + "`") != std::string::npos);
}

TEST_CASE("Parameters are declared once: keys, ranges, help and usage come from the declaration", "[rpc]") {
  std::set<std::string_view> keys;
  REQUIRE(rpc::params().size() == rpc::kParamCount);
  for (std::size_t i = 0; i < rpc::kParamCount; ++i) {
    const auto& p = rpc::param(static_cast<rpc::ParamId>(i));
    INFO(p.key);
    CHECK(static_cast<std::size_t>(p.id) == i);
    CHECK(keys.insert(p.key).second);
    CHECK(rpc::find_param(p.key) == &p);
    CHECK(p.min <= p.max);
    CHECK(!p.metavar.empty());
  }
  CHECK(keys == std::set<std::string_view>{"limit", "asn", "ips", "window", "carved", "target", "for",
                                           "reason", "sort", "text", "keep", "input"});
  CHECK_FALSE(rpc::find_param("lmit"));
  // Every integer parameter is refused one past its range, by every method
  // that takes it, and accepted at its bounds.
  for (const auto& m : rpc::methods()) {
    for (const auto& p : rpc::params()) {
      if (!(m.params & rpc::param_bit(p.id)) || p.type != rpc::ParamType::unsigned_integer) continue;
      INFO(m.name << " " << p.key);
      auto line = [&](const std::string& value) {
        std::string extra;
        for (const auto& q : rpc::params()) {
          if (q.id != p.id && (m.required & rpc::param_bit(q.id)))
            extra += q.type == rpc::ParamType::addresses ? R"(,"ips":["192.0.2.1"])"
                     : q.type == rpc::ParamType::text    ? ",\"" + std::string(q.key) + "\":\"AS64496\""
                                                         : ",\"" + std::string(q.key) + "\":1";
        }
        return R"({"jsonrpc":"2.0","id":1,"method":")" + std::string(m.name) + R"(","params":{")" +
               std::string(p.key) + "\":" + value + extra + "}}";
      };
      CHECK(request_of(line(std::to_string(p.max))).params.number(p.id) == p.max);
      CHECK(request_of(line(std::to_string(p.min))).params.number(p.id) == p.min);
      if (p.max < UINT64_MAX)
        CHECK(error_of(line(std::to_string(p.max + 1))).code == rpc::ErrorCode::invalid_params);
      CHECK(error_of(line("-1")).code == rpc::ErrorCode::invalid_params);
    }
  }
  // Help and ctl usage are generated from the same rows.
  CHECK(rpc::params_help(rpc::method(rpc::MethodId::prefixes)) ==
        R"({"limit": N, "asn": ASN, "window": SECONDS, "sort": "hits|bytes|prefix", "input": "NAME"})");
  CHECK(rpc::params_help(rpc::method(rpc::MethodId::lookup)) == R"({"ips": ["IP", ...]})");
  CHECK(rpc::params_help(rpc::method(rpc::MethodId::stats)).empty());
  CHECK(rpc::command_usage(rpc::method(rpc::MethodId::prefixes)) ==
        "[--limit N] [--asn ASN] [--window SECONDS] [--sort hits|bytes|prefix] [--input NAME]");
  CHECK(rpc::command_usage(rpc::method(rpc::MethodId::as_prefixes)) == "[--carved 0/1] ASN");
  CHECK(rpc::command_usage(rpc::method(rpc::MethodId::lookup)) == "IP...");
}

TEST_CASE("Every method has a handler that answers through the daemon interface", "[rpc]") {
  asncounter::test::FakeDaemon daemon;
  for (const auto& m : rpc::methods()) {
    INFO(m.name);
    rpc::Params p;
    for (const auto& spec : rpc::params()) {
      if (!(m.required & rpc::param_bit(spec.id))) continue;
      if (spec.type == rpc::ParamType::addresses) {
        p.set(spec.id, std::vector<std::string>{"192.0.2.1"});
      } else if (spec.type == rpc::ParamType::text || spec.type == rpc::ParamType::word) {
        // An ASN for ban/unban's target; a piece of a name for whois.
        p.set_text(spec.id, spec.id == rpc::ParamId::target ? "AS64496" : "DOC");
      } else {
        p.set(spec.id, spec.min);
      }
    }
    auto reply = rpc::Dispatcher::settle(rpc::handle(m.id, daemon, p));
    if (m.id == rpc::MethodId::ban || m.id == rpc::MethodId::unban) {
      // The fake runs no mitigation: these methods say so rather than pretend
      // (the netns integration test drives them against a real one).
      CHECK(reply.code == rpc::ErrorCode::unavailable);
      CHECK(reply.message == "no mitigation runs");
      continue;
    }
    CHECK(reply.ok);
    CHECK(json::accept(reply.result_json));
  }
  CHECK(daemon.refreshes == 1);
  CHECK(daemon.reloads == 1);
  // The daemon's errors keep their meaning on the wire.
  daemon.refresh_error = "a refresh is already under way";
  auto busy = rpc::handle(rpc::MethodId::refresh, daemon, {});
  CHECK(busy.code == rpc::ErrorCode::unavailable);
  CHECK(busy.message == daemon.refresh_error);
  daemon.reload_error = "bad option";
  auto bad = rpc::Dispatcher::settle(rpc::handle(rpc::MethodId::reload, daemon, {}));
  CHECK(bad.code == rpc::ErrorCode::reload_failed);
  CHECK(bad.message == "bad option");
}

TEST_CASE(
    "Every method says where it runs: whole-store reads on a worker, the loop's own counters on the loop",
    "[rpc]") {
  for (const auto& m : rpc::methods()) {
    INFO(m.name);
    CHECK(rpc::runs_on(m.id) != rpc::RunsOn::unset);
  }
  // A sorted read of every row must not stall the event loop (and its clients).
  for (auto id :
       {rpc::MethodId::top, rpc::MethodId::prefixes, rpc::MethodId::report, rpc::MethodId::as_prefixes,
        rpc::MethodId::asn, rpc::MethodId::series, rpc::MethodId::lookup})
    CHECK(rpc::runs_on(id) == rpc::RunsOn::worker);
  // status() reads counters only the loop may touch.
  CHECK(rpc::runs_on(rpc::MethodId::stats) == rpc::RunsOn::loop);
}

TEST_CASE("Valid requests parse into typed params and echo their id", "[rpc]") {
  auto r = request_of(R"({"jsonrpc":"2.0","id":7,"method":"top","params":{"limit":10}})");
  CHECK(r.method->id == rpc::MethodId::top);
  CHECK(r.id_json == "7");
  CHECK(r.params.number(rpc::ParamId::limit) == 10U);
  r = request_of(R"({"jsonrpc":"2.0","id":"abc","method":"prefixes","params":{"limit":0,"asn":4294967295}})");
  CHECK(r.id_json == "\"abc\"");
  CHECK(r.params.number(rpc::ParamId::limit) == 0U);
  CHECK(r.params.number<std::uint32_t>(rpc::ParamId::asn) == 4294967295U);
  CHECK(r.params.given() == rpc::param_set(rpc::ParamId::limit, rpc::ParamId::asn));
  r = request_of(R"({"jsonrpc":"2.0","method":"stats"})");
  CHECK(r.id_json == "null");
  r = request_of(R"({"jsonrpc":"2.0","id":1,"method":"stats","params":[]})");
  CHECK(r.method->id == rpc::MethodId::stats);
  r = request_of(
      R"({"jsonrpc":"2.0","id":1,"method":"lookup","params":{"ips":["192.0.2.1","2001:db8::1"]}})");
  auto ips = r.params.list(rpc::ParamId::ips);
  CHECK(std::vector<std::string>(ips.begin(), ips.end()) ==
        std::vector<std::string>{"192.0.2.1", "2001:db8::1"});
}

TEST_CASE("lookup answers a text that is no address with an error row of its own", "[rpc]") {
  auto r =
      request_of(R"({"jsonrpc":"2.0","id":1,"method":"lookup","params":{"ips":["192.0.2.300","10.0.0.1"]}})");
  asncounter::test::FakeDaemon daemon;
  auto reply = rpc::handle(rpc::MethodId::lookup, daemon, r.params);
  REQUIRE(reply.ok);
  auto rows = json::parse(reply.result_json)["results"];
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["ip"] == "192.0.2.300");
  CHECK(rows[0]["error"] == "not an IP address");
  CHECK(rows[0]["asn"].is_null());
  CHECK(rows[1]["ip"] == "10.0.0.1");
  CHECK_FALSE(rows[1].contains("error"));
}

TEST_CASE("make_request round-trips through parse_request", "[rpc]") {
  rpc::Params p;
  p.set(rpc::ParamId::limit, 5);
  p.set(rpc::ParamId::asn, 64496);
  auto r = request_of(rpc::make_request(42, rpc::MethodId::prefixes, p));
  CHECK(r.id_json == "42");
  CHECK(r.method->id == rpc::MethodId::prefixes);
  CHECK(r.params == p);
  rpc::Params ips;
  ips.set(rpc::ParamId::ips, {"198.51.100.7"});
  CHECK(request_of(rpc::make_request(1, rpc::MethodId::lookup, ips)).params == ips);
  CHECK(request_of(rpc::make_request(2, rpc::MethodId::reset, {})).params == rpc::Params{});
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
  asncounter::test::FakeDaemon daemon;
  daemon.status_error = "boom";  // stats throws
  rpc::Dispatcher d(daemon, *rpc::AdminPolicy::make(""));
  const rpc::PeerCredentials stranger{1, 65534, 65534};
  const rpc::PeerCredentials root{1, 0, 0};
  auto denied = answer(d.dispatch(R"({"jsonrpc":"2.0","id":1,"method":"reload"})", stranger));
  CHECK(denied["error"]["code"] == -32001);
  CHECK(daemon.reloads == 0);
  auto allowed = answer(d.dispatch(R"({"jsonrpc":"2.0","id":2,"method":"reload"})", root));
  CHECK(allowed["result"]["reloaded"] == true);
  CHECK(daemon.reloads == 1);
  CHECK(answer(d.dispatch(R"({"jsonrpc":"2.0","id":3,"method":"top"})", stranger)).contains("result"));
  auto failed = answer(d.dispatch(R"({"jsonrpc":"2.0","id":4,"method":"stats"})", root));
  CHECK(failed["error"]["code"] == -32603);
  CHECK(failed["error"]["message"] == "boom");
  CHECK(failed["id"] == 4);
  CHECK(d.counters().requests == 4);
  CHECK(d.counters().denied == 1);
  CHECK(d.counters().errors == 2);
  CHECK(d.counters().by_method.at("reload") == 2);
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

// Issue 12 finding 13: is_admin used to ask the user and group databases
// (getpwuid_r, getgrouplist) on the event loop for every admin or denied call.
TEST_CASE("The admin policy answers from the members resolved when it is made and looks nothing up per call",
          "[rpc]") {
  auto group = rpc::AdminPolicy::make("nogroup");
  if (!group) ASNCOUNTER_SKIP("no group 'nogroup' on this machine");
  auto before = rpc::nss_lookups();
  for (int i = 0; i < 100; ++i) {
    CHECK_FALSE(group->is_admin({1, 12345, 12345}));  // in no database: denied
    CHECK(group->is_admin({1, 65534, 12345}));        // nobody, whose passwd primary group is nogroup
    CHECK(group->is_admin({1, 0, 0}));
  }
  CHECK(rpc::nss_lookups() == before);
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

TEST_CASE("asncounterctl takes each method's parameters as declared: flags, positionals, ranges", "[rpc]") {
  auto status = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", "/nonexistent/asncounter.sock"});
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    return asncounter::ctl::run(args, in, out, err);
  };
  constexpr int kUsage = 2;
  constexpr int kUnreachable = 3;  // the arguments were fine: it went on to connect
  CHECK(status({"top", "--limit", "5"}) == kUnreachable);
  CHECK(status({"prefixes", "--limit=0", "--asn", "4294967295"}) == kUnreachable);
  CHECK(status({"prefixes", "--asn", "4294967296"}) == kUsage);
  CHECK(status({"top", "--limit", "x"}) == kUsage);
  CHECK(status({"top", "--asn", "1"}) == kUsage);  // top does not take asn
  CHECK(status({"as-prefixes", "64496"}) == kUnreachable);
  CHECK(status({"as-prefixes", "--asn", "64496"}) == kUsage);  // required: positional
  CHECK(status({"as-prefixes"}) == kUsage);
  CHECK(status({"as-prefixes", "64496", "64497"}) == kUsage);
  CHECK(status({"as-prefixes", "AS64496"}) == kUnreachable);  // the AS prefix is accepted
  CHECK(status({"lookup", "192.0.2.1", "2001:db8::1"}) == kUnreachable);
  CHECK(status({"lookup"}) == 0);  // reads stdin: nothing there, nothing to ask
  CHECK(status({"lookup", "--limit", "1", "192.0.2.1"}) == kUsage);
  CHECK(status({"block-list", "--limit", "3", "--format", "cidr"}) == kUnreachable);
  CHECK(status({"block-list", "--asn", "3", "--format", "cidr"}) == kUnreachable);  // its ASNs, carved
  CHECK(status({"block-list", "--asn", "3", "--limit", "3", "--format", "cidr"}) == kUsage);
  CHECK(status({"as-prefixes", "--carved", "1", "64496"}) == kUnreachable);
  CHECK(status({"as-prefixes", "--carved", "2", "64496"}) == kUsage);
  CHECK(status({"stats", "--limit", "1"}) == kUsage);
}
